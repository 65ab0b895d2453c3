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
  .caption {
    display: flex;
    flex-wrap: wrap;
    gap: 2px 12px;
    padding: 4px 10px;
    font-size: 12px;
    color: var(--kw-muted);
    border-bottom: 1px solid var(--kw-border);
    background: var(--kw-panel-alt);
  }
  .caption .at {
    color: var(--kw-text);
    font-family: var(--kw-mono);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    max-width: 100%;
  }
  .scroll {
    flex: 1;
    overflow: auto;
    min-height: 0;
  }
  .empty {
    padding: 12px;
    color: var(--kw-muted);
  }
  svg {
    display: block;
    font-family: var(--kw-font);
  }
  .section {
    font-size: 10px;
    font-weight: 700;
    letter-spacing: 0.06em;
    text-transform: uppercase;
    fill: var(--kw-faint);
  }
  .node rect.frame {
    fill: var(--kw-node);
    stroke: var(--kw-node-border);
    stroke-width: 1.2;
  }
  .node.down rect.frame {
    fill: #f3f3f3;
    stroke-dasharray: 5 3;
  }
  .name {
    font-size: 12px;
    font-weight: 700;
    fill: var(--kw-text);
  }
  .sub {
    font-size: 10.5px;
    fill: var(--kw-muted);
    font-family: var(--kw-mono);
  }
  .pod rect {
    fill: var(--kw-pod);
    stroke: #a3adbf;
  }
  .pod.notready rect {
    stroke-dasharray: 4 2;
    fill: #fafafa;
  }
  .pod .name {
    font-size: 11px;
  }
  .svc rect {
    fill: var(--kw-svc);
    stroke: var(--kw-svc-border);
  }
  .ext rect {
    fill: var(--kw-ext);
    stroke: var(--kw-ext-border);
  }
  .underlay {
    fill: #94a3b8;
  }
  .wire {
    stroke: #94a3b8;
    stroke-width: 2;
  }
  .clickable {
    cursor: pointer;
  }
  .clickable:hover rect {
    filter: brightness(0.96);
  }
  .on-path > rect,
  .on-path > rect.frame {
    stroke: var(--kw-path);
    stroke-width: 2;
  }
  .current > rect,
  .current > rect.frame {
    stroke: var(--kw-path);
    stroke-width: 3.5;
  }
  .svc.hit rect {
    stroke: var(--kw-path);
    stroke-width: 3;
  }
  .path {
    pointer-events: none;
    fill: none;
    stroke: var(--kw-path);
    stroke-width: 2.5;
    stroke-dasharray: 7 4;
    opacity: 0.85;
  }
  .packet {
    pointer-events: none;
  }
  .packet.anim {
    transition: transform var(--kw-anim, 300ms) ease-in-out;
  }
  .packet rect {
    fill: var(--kw-packet);
    stroke: #fff;
    stroke-width: 1.5;
  }
  .packet.drop rect {
    fill: var(--kw-fail);
  }
  .packet.nat rect {
    fill: #d59b00;
  }
  .packet path {
    stroke: #fff;
    fill: none;
    stroke-width: 1.3;
  }
  .packet text {
    font-size: 10.5px;
    font-weight: 700;
    fill: #7c2d12;
    paint-order: stroke;
    stroke: #fff;
    stroke-width: 3px;
  }
  @media (prefers-reduced-motion: reduce) {
    .packet.anim {
      transition: none;
    }
  }
`;
