/**
 * The contract between the DNS server program (apps/dns-server.ts) and whoever knows the
 * records: cluster DNS (k8s/dns-records.ts, CoreDNS's kubernetes plugin) or an upstream
 * resolver's static zone. The server owns the wire (sockets, parsing, case echo, flags); the
 * source owns the answers.
 */
import type { DnsQuestion, DnsRecord } from '../wire/dns.ts';

/** A source's answer to one question. */
export interface DnsAnswer {
  /** RFC 1035 RCODE: 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED … */
  readonly rcode: number;
  /** AA flag (the kubernetes plugin is authoritative for its zones). */
  readonly authoritative: boolean;
  readonly answers: readonly DnsRecord[];
  /** The SOA for NXDOMAIN/NODATA, as CoreDNS puts it in the authority section. */
  readonly authority: readonly DnsRecord[];
  readonly additional: readonly DnsRecord[];
}

/** Who asked (some answers depend on it, e.g. `pods verified`, namespace exposure). */
export interface DnsClient {
  readonly ip: number;
}

/** Knows the records for some names; returns null when the name is not its business (forward it). */
export interface RecordSource {
  lookup(question: DnsQuestion, client: DnsClient): DnsAnswer | null;
}
