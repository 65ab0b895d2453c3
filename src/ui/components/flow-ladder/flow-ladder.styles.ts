import { css } from 'lit';

export default css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    font-size: var(--kw-font-size);
    color: var(--kw-text);
    background: var(--kw-panel);
  }
  .empty {
    padding: 12px;
    color: var(--kw-muted);
  }
  .caption {
    padding: 4px 10px;
    font-size: 12px;
    color: var(--kw-muted);
    border-bottom: 1px solid var(--kw-border);
    background: var(--kw-panel-alt);
  }
  .caption b {
    color: var(--kw-text);
  }
  .scroll {
    flex: 1;
    overflow: auto;
    min-height: 0;
    position: relative;
  }
  .head {
    position: sticky;
    top: 0;
    z-index: 1;
    background: #eef1f6;
    border-bottom: 1px solid var(--kw-border);
  }
  svg {
    display: block;
    font: 11px var(--kw-mono);
  }
  .lane-name {
    font: 600 11px var(--kw-font);
    fill: var(--kw-text);
  }
  .lifeline {
    stroke: #b7bfcc;
    stroke-dasharray: 3 3;
  }
  .hit {
    fill: transparent;
    cursor: pointer;
  }
  .hit:hover {
    fill: rgba(36, 86, 199, 0.06);
  }
  .sel {
    fill: var(--kw-accent-soft);
  }
  .arrow {
    stroke: #2f5fb3;
    stroke-width: 1.5;
    fill: none;
  }
  .arrow.sel-arrow {
    stroke: var(--kw-path);
    stroke-width: 2.5;
  }
  .mark {
    fill: #6b7280;
  }
  .mark.nat { fill: #d59b00; }
  .mark.drop { fill: var(--kw-fail); }
  .mark.netfilter { fill: #4f46e5; }
  .mark.route { fill: #15803d; }
  .mark.conntrack { fill: #a21caf; }
  .mark.sent, .mark.received, .mark.delivered { fill: #2f5fb3; }
  .num,
  .time {
    fill: var(--kw-faint);
  }
  #ladder text {
    pointer-events: none;
  }
  .info {
    fill: var(--kw-text);
  }
  .info.inline {
    paint-order: stroke;
    stroke: #fff;
    stroke-width: 3px;
    font-size: 10.5px;
  }
  .info.decision {
    fill: var(--kw-muted);
  }
  .info.nat {
    fill: #7a5600;
    font-weight: 700;
  }
  .info.drop {
    fill: var(--kw-fail);
    font-weight: 700;
  }
  .proto {
    fill: #2f5fb3;
    font-size: 10px;
  }
`;
