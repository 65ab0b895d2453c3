import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import {
  base32Encode,
  chainHash,
  endpointChainName,
  isServiceChainName,
  joinHostPort,
  portProtoHash,
  servicePortChains,
} from './chain-names.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('base32Encode', () => {
  it('matches the RFC 4648 §10 test vectors', () => {
    expect(base32Encode(bytes(''))).toBe('');
    expect(base32Encode(bytes('f'))).toBe('MY======');
    expect(base32Encode(bytes('fo'))).toBe('MZXQ====');
    expect(base32Encode(bytes('foo'))).toBe('MZXW6===');
    expect(base32Encode(bytes('foob'))).toBe('MZXW6YQ=');
    expect(base32Encode(bytes('fooba'))).toBe('MZXW6YTB');
    expect(base32Encode(bytes('foobar'))).toBe('MZXW6YTBOI======');
  });
});

describe('chain names (kube-proxy-iptables.md §2)', () => {
  it('reproduces the verified examples', () => {
    const svc1 = servicePortChains('ns1/svc1:p80', 'tcp');
    expect(svc1.svc).toBe('KUBE-SVC-XPGD46QRK7WJZT7O');
    expect(svc1.ext).toBe('KUBE-EXT-XPGD46QRK7WJZT7O');
    expect(svc1.fw).toBe('KUBE-FW-XPGD46QRK7WJZT7O');
    expect(svc1.svl).toBe('KUBE-SVL-XPGD46QRK7WJZT7O');
    expect(endpointChainName('ns1/svc1:p80', 'tcp', '10.180.0.1:80')).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
    const unnamed = servicePortChains('ns1/svc1', 'tcp');
    expect(unnamed.svc).toBe('KUBE-SVC-AQI2S6QIMU7PVVRP');
    expect(unnamed.svl).toBe('KUBE-SVL-AQI2S6QIMU7PVVRP');
    expect(endpointChainName('ns2/svc2:p8080', 'tcp', '10.0.2.1:8080')).toBe('KUBE-SEP-UHEGFW77JX3KXTOV');
    expect(endpointChainName('ns1/svc1:p80', 'tcp', joinHostPort('ff06::c1', 80))).toBe('KUBE-SEP-LIGRYQQLSZN4UWQ5');
  });

  it('fails the negative controls, as the real recipe must', () => {
    expect(portProtoHash('ns1/svc1:p80', 'TCP')).not.toBe('XPGD46QRK7WJZT7O');
    expect(chainHash('ns1/svc1:p80tcpCLUSTER')).not.toBe('XPGD46QRK7WJZT7O');
    expect(endpointChainName('ns1/svc1:p80', 'tcp', 'ff06::c1:80')).not.toBe('KUBE-SEP-LIGRYQQLSZN4UWQ5');
  });

  it('gives the names every kind/kubeadm node shows for its built-in Services', () => {
    // As printed by `iptables -t nat -L KUBE-SERVICES` on any kubeadm-based cluster.
    expect(servicePortChains('default/kubernetes:https', 'tcp').svc).toBe('KUBE-SVC-NPX46M4PTMTKRN6Y');
    expect(servicePortChains('kube-system/kube-dns:dns', 'udp').svc).toBe('KUBE-SVC-TCOU7JCQXEZGVUNU');
    expect(servicePortChains('kube-system/kube-dns:dns-tcp', 'tcp').svc).toBe('KUBE-SVC-ERIFXISQEP7F7OF4');
    expect(servicePortChains('kube-system/kube-dns:metrics', 'tcp').svc).toBe('KUBE-SVC-JD5MR3NA4I4DYORP');
  });

  it('keeps every name within iptables’ 28-character limit', () => {
    const long = `${'n'.repeat(63)}/${'s'.repeat(63)}:${'p'.repeat(15)}`;
    const { svc, svl, ext, fw } = servicePortChains(long, 'sctp');
    for (const name of [svc, svl, ext, fw, endpointChainName(long, 'sctp', '10.0.0.1:65535')]) {
      expect(name.length).toBeLessThanOrEqual(28);
    }
  });
});

describe('joinHostPort', () => {
  it('brackets IPv6 only', () => {
    expect(joinHostPort('10.0.0.1', 80)).toBe('10.0.0.1:80');
    expect(joinHostPort('fd00::1', 53)).toBe('[fd00::1]:53');
  });
});

describe('isServiceChainName', () => {
  it('recognises per-service chains only', () => {
    for (const c of ['KUBE-SVC-X', 'KUBE-SVL-X', 'KUBE-EXT-X', 'KUBE-FW-X', 'KUBE-SEP-X']) expect(isServiceChainName(c)).toBe(true);
    for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-MARK-MASQ', 'KUBE-KUBELET-CANARY', 'KUBE-XLB-X']) {
      expect(isServiceChainName(c)).toBe(false);
    }
  });
});

describe('chainHash fast path', () => {
  it('gives the same suffix as base32(SHA-256) for ASCII of every length up to several blocks, and for UTF-8', () => {
    let text = '';
    for (let n = 0; n < 200; n++) {
      expect(chainHash(text)).toBe(base32Encode(sha256(utf8ToBytes(text))).slice(0, 16));
      text += String.fromCharCode(33 + ((n * 7) % 90));
    }
    expect(chainHash('ns/\u00fc:httptcp')).toBe(base32Encode(sha256(utf8ToBytes('ns/\u00fc:httptcp'))).slice(0, 16));
  });
});
