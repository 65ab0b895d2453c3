/**
 * Design tokens: every colour, size and font the components use, as `--kw-*` custom properties
 * set on the app shell's host and inherited through every shadow root below it. Row colours
 * follow Wireshark's defaults in spirit (light protocol tints, loud NAT and drop rows).
 */
import { css } from 'lit';

export const tokens = css`
  :host {
    --kw-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', sans-serif;
    --kw-mono: ui-monospace, 'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace;
    --kw-font-size: 13px;
    --kw-mono-size: 12px;
    --kw-row-height: 20px;
    --kw-radius: 4px;
    --kw-gap: 8px;

    --kw-bg: #f4f5f7;
    --kw-panel: #ffffff;
    --kw-panel-alt: #f8f9fb;
    --kw-border: #d5d9e0;
    --kw-border-strong: #aab2bf;
    --kw-text: #1c2330;
    --kw-muted: #5b6475;
    --kw-faint: #8a93a3;
    --kw-accent: #2456c7;
    --kw-accent-soft: #dfe8fb;
    --kw-focus: #3b82f6;
    --kw-selected: #2456c7;
    --kw-selected-text: #ffffff;

    --kw-pass: #15803d;
    --kw-pass-soft: #dcfce7;
    --kw-fail: #b91c1c;
    --kw-fail-soft: #fee2e2;
    --kw-warn: #a16207;
    --kw-warn-soft: #fef3c7;

    /* Packet-list rows */
    --kw-row-tcp: #ecebff;
    --kw-row-udp: #e3f1ff;
    --kw-row-dns: #dff3fb;
    --kw-row-http: #e6f8d6;
    --kw-row-arp: #fbf3df;
    --kw-row-icmp: #fbe5fb;
    --kw-row-nat: #ffe08a;
    --kw-row-nat-text: #3b2a00;
    --kw-row-drop: #b3261e;
    --kw-row-drop-text: #ffffff;
    --kw-row-decision: #ffffff;
    --kw-row-decision-text: #4b5563;

    /* Topology */
    --kw-node: #eef2f8;
    --kw-node-border: #7d8aa3;
    --kw-pod: #ffffff;
    --kw-svc: #f3ecff;
    --kw-svc-border: #8b6fd1;
    --kw-ext: #eaf7ef;
    --kw-ext-border: #4f9a6a;
    --kw-path: #e8590c;
    --kw-packet: #e8590c;

    /* Hex / detail highlights */
    --kw-hl: #bcd3ff;
    --kw-hl-strong: #2456c7;
    --kw-changed: #ffe08a;
  }
`;
