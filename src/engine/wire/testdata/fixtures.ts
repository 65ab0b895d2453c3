/**
 * Byte fixtures for the wire tests. Each frame was written by hand from the RFC layouts and
 * checked with an independent decoder: text2pcap + tshark 4.0.17 with IPv4/UDP/TCP/ICMP
 * checksum validation on reports every checksum "Good" and decodes the fields described.
 * Ethernet frames carry no FCS (pcap LINKTYPE_ETHERNET).
 */

/** The IPv4 header from the Wikipedia article "Internet checksum"/"IPv4 header checksum": checksum 0xb861 over a header whose Total Length (0x73) exceeds these 20 bytes. */
export const WIKIPEDIA_IPV4_HEADER = '4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7';

/** Ethernet/IPv4/UDP: 192.168.1.10:51234 > 8.8.8.8:53, DNS id 0x1a2b RD, A? example.com.; IP id 0x4d2e DF ttl 64; IP checksum 0x1bc4, UDP checksum 0x7bf1. */
export const DNS_QUERY_EXAMPLE_COM = [
  '0242 0a02 0101 0242 0a02 0104 0800 4500 0039 4d2e 4000 4011 1bc4 c0a8 010a 0808',
  '0808 c822 0035 0025 7bf1 1a2b 0100 0001 0000 0000 0000 0765 7861 6d70 6c65 0363',
  '6f6d 0000 0100 01',
].join(' ');

/** Ethernet/IPv4/UDP: 8.8.8.8:53 > 192.168.1.10:51234, DNS id 0x1a2b QR RD RA, A? example.com. / example.com. 3600 IN A 93.184.216.34, answer name compressed as pointer c00c; ttl 117, no DF. */
export const DNS_RESPONSE_EXAMPLE_COM = [
  '0242 0a02 0104 0242 0a02 0101 0800 4500 0049 0000 0000 7511 73e2 0808 0808 c0a8',
  '010a 0035 c822 0035 fd4b 1a2b 8180 0001 0001 0000 0000 0765 7861 6d70 6c65 0363',
  '6f6d 0000 0100 01c0 0c00 0100 0100 000e 1000 045d b8d8 22',
].join(' ');

/** Ethernet/IPv4/TCP SYN: 10.2.1.4:43210 > 10.96.12.5:8080, seq 1000, win 64240, options mss 1460, sackOK, TS val 2216113472 ecr 0, nop, wscale 7 (Linux order); IP checksum 0xe918, TCP checksum 0xa60a. */
export const TCP_SYN_MSS = [
  '0242 0a02 0101 0242 0a02 0104 0800 4500 003c 3039 4000 4006 e918 0a02 0104 0a60',
  '0c05 a8ca 1f90 0000 03e8 0000 0000 a002 faf0 a60a 0000 0204 05b4 0402 080a 8417',
  '3540 0000 0000 0103 0307',
].join(' ');

/** Ethernet broadcast ARP request: who-has 10.2.1.1 tell 10.2.1.4 (02:42:0a:02:01:04), padded to 60 bytes. */
export const ARP_REQUEST = [
  'ffff ffff ffff 0242 0a02 0104 0806 0001 0800 0604 0001 0242 0a02 0104 0a02 0104',
  '0000 0000 0000 0a02 0101 0000 0000 0000 0000 0000 0000 0000 0000 0000',
].join(' ');

/** Ethernet ARP reply: 10.2.1.1 is-at 02:42:0a:02:01:01 to 10.2.1.4, padded to 60 bytes. */
export const ARP_REPLY = [
  '0242 0a02 0104 0242 0a02 0101 0806 0001 0800 0604 0002 0242 0a02 0101 0a02 0101',
  '0242 0a02 0104 0a02 0104 0000 0000 0000 0000 0000 0000 0000 0000 0000',
].join(' ');

/** Ethernet/IPv4/ICMP echo request 10.2.1.4 > 10.2.2.7, id 1, seq 1, 56 data bytes 0x10..0x47; ICMP checksum 0x3f29. */
export const ICMP_ECHO_REQUEST = [
  '0242 0a02 0101 0242 0a02 0104 0800 4500 0054 beef 4000 4001 64ab 0a02 0104 0a02',
  '0207 0800 3f29 0001 0001 1011 1213 1415 1617 1819 1a1b 1c1d 1e1f 2021 2223 2425',
  '2627 2829 2a2b 2c2d 2e2f 3031 3233 3435 3637 3839 3a3b 3c3d 3e3f 4041 4243 4445',
  '4647',
].join(' ');

/** Ethernet/IPv4/ICMP destination unreachable (port) 10.96.0.10 > 10.2.1.4 quoting the IPv4 header + 8 bytes of a UDP query 10.2.1.4:43210 > 10.96.0.10:53; ICMP checksum 0xfc3b. */
export const ICMP_PORT_UNREACHABLE = [
  '0242 0a02 0104 0242 0a02 0101 0800 4500 0038 2222 0000 4001 4334 0a60 000a 0a02',
  '0104 0303 fc3b 0000 0000 4500 0039 1111 4000 4011 1434 0a02 0104 0a60 000a a8ca',
  '0035 0025 579c',
].join(' ');

/** Ethernet/IPv4/TCP [P.] 10.2.1.4:43210 > 10.96.12.5:8080 seq 1001 ack 5001 win 502 carrying "GET /hostname HTTP/1.1" with Host, User-Agent, Accept. */
export const HTTP_GET = [
  '0242 0a02 0101 0242 0a02 0104 0800 4500 007d 303a 4000 4006 e8d6 0a02 0104 0a60',
  '0c05 a8ca 1f90 0000 03e9 0000 1389 5018 01f6 5b3b 0000 4745 5420 2f68 6f73 746e',
  '616d 6520 4854 5450 2f31 2e31 0d0a 486f 7374 3a20 6261 636b 656e 643a 3830 3830',
  '0d0a 5573 6572 2d41 6765 6e74 3a20 6b75 6265 7769 7265 2f30 2e31 0d0a 4163 6365',
  '7074 3a20 2a2f 2a0d 0a0d 0a',
].join(' ');

/** Ethernet/IPv4/TCP [P.] 10.96.12.5:8080 > 10.2.1.4:43210 carrying "HTTP/1.1 200 OK", Content-Type, Content-Length: 11, body "backend-1\r\n". */
export const HTTP_RESPONSE = [
  '0242 0a02 0104 0242 0a02 0101 0800 4500 0083 4444 4000 4006 d4c6 0a60 0c05 0a02',
  '0104 1f90 a8ca 0000 1389 0000 043e 5018 01fd fc10 0000 4854 5450 2f31 2e31 2032',
  '3030 204f 4b0d 0a43 6f6e 7465 6e74 2d54 7970 653a 2074 6578 742f 706c 6169 6e3b',
  '2063 6861 7273 6574 3d75 7466 2d38 0d0a 436f 6e74 656e 742d 4c65 6e67 7468 3a20',
  '3131 0d0a 0d0a 6261 636b 656e 642d 310d 0a',
].join(' ');

/** Raw IPv4 (LINKTYPE_RAW)/UDP: 10.2.1.4:43210 > 10.96.0.10:53, DNS id 0x0007 RD, A? backend.default.svc.cluster.local.. */
export const RAW_IPV4_DNS_QUERY = [
  '4500 004f 0101 4000 4011 242e 0a02 0104 0a60 000a a8ca 0035 003b 23ec 0007 0100',
  '0001 0000 0000 0000 0762 6163 6b65 6e64 0764 6566 6175 6c74 0373 7663 0763 6c75',
  '7374 6572 056c 6f63 616c 0000 0100 01',
].join(' ');
