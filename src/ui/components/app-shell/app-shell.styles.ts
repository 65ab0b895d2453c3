import { css } from 'lit';

export default css`
  :host {
    display: flex;
    flex-direction: column;
    height: 100vh;
    min-height: 0;
    font-family: var(--kw-font);
    font-size: var(--kw-font-size);
    color: var(--kw-text);
    background: var(--kw-bg);
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px 14px;
    padding: 6px 10px;
    background: #1e293b;
    color: #e2e8f0;
  }
  .brand {
    font-weight: 800;
    letter-spacing: 0.02em;
    font-size: 15px;
    color: #fff;
  }
  .brand span {
    color: #fb923c;
  }
  .scenario {
    display: flex;
    flex-direction: column;
    min-width: 0;
    max-width: 230px;
    line-height: 1.2;
  }
  .scenario .name {
    font-weight: 600;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .scenario .desc {
    font-size: 11px;
    color: #94a3b8;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  kw-run-controls {
    --kw-muted: #cbd5e1;
    --kw-control-bg: #334155;
    --kw-control-fg: #f1f5f9;
    --kw-control-border: #475569;
    --kw-control-hover: #475569;
    --kw-control-pressed: #7c2d12;
    --kw-control-strong: #ffffff;
    flex: 1 1 auto;
    min-width: 0;
  }
  .actions {
    display: flex;
    gap: 4px;
    align-items: center;
    margin-left: auto;
  }
  .actions button,
  .verdict {
    font: inherit;
    font-size: 12px;
    height: 26px;
    padding: 0 8px;
    border-radius: var(--kw-radius);
    border: 1px solid #475569;
    background: #334155;
    color: #f1f5f9;
    cursor: pointer;
    white-space: nowrap;
  }
  .actions button:hover:not(:disabled) {
    background: #475569;
  }
  .actions button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  .verdict.pass {
    background: #166534;
    border-color: #22c55e;
  }
  .verdict.fail {
    background: #991b1b;
    border-color: #f87171;
  }
  .banner {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
    padding: 6px 12px;
    font-size: 13px;
    border-bottom: 1px solid;
  }
  .banner.failure {
    background: var(--kw-fail-soft);
    color: #7f1d1d;
    border-color: #fca5a5;
  }
  .banner.error {
    background: var(--kw-warn-soft);
    color: #5a3d00;
    border-color: #f0d58a;
  }
  .banner.info {
    background: var(--kw-accent-soft);
    color: #1e3a8a;
    border-color: #bfd0f5;
  }
  .banner button {
    font: inherit;
    font-size: 12px;
    padding: 2px 10px;
    border-radius: var(--kw-radius);
    border: 1px solid currentColor;
    background: #fff;
    color: inherit;
    cursor: pointer;
  }
  .banner .grow {
    flex: 1;
    min-width: 200px;
    overflow-wrap: anywhere;
  }
  .banner input {
    flex: 1;
    min-width: 200px;
    font: var(--kw-mono-size) var(--kw-mono);
    padding: 2px 4px;
  }
  main {
    flex: 1;
    min-height: 0;
    display: grid;
    gap: 6px;
    padding: 6px;
    grid-template-columns: minmax(360px, 42fr) minmax(0, 58fr);
    grid-template-rows: minmax(0, 1fr) minmax(0, 1fr);
    grid-template-areas:
      'top list'
      'side detail';
  }
  main.editing {
    grid-template-rows: minmax(0, 1.7fr) minmax(0, 1fr);
  }
  .pane {
    display: flex;
    flex-direction: column;
    min-height: 0;
    min-width: 0;
    background: var(--kw-panel);
    border: 1px solid var(--kw-border);
    border-radius: 6px;
    overflow: hidden;
  }
  .pane.top {
    grid-area: top;
  }
  .pane.list {
    grid-area: list;
  }
  .pane.side {
    grid-area: side;
  }
  .pane.detail {
    grid-area: detail;
  }
  .pane > h2,
  [role='tablist'] {
    display: flex;
    align-items: stretch;
    gap: 0;
    margin: 0;
    min-height: 28px;
    border-bottom: 1px solid var(--kw-border);
    background: #eceff4;
    font-size: 12px;
    overflow-x: auto;
    flex: none;
  }
  .pane > h2 {
    align-items: center;
    padding: 0 10px;
    font-weight: 600;
  }
  [role='tab'] {
    font: inherit;
    font-weight: 600;
    padding: 0 12px;
    border: 0;
    border-right: 1px solid var(--kw-border);
    background: transparent;
    color: var(--kw-muted);
    cursor: pointer;
    white-space: nowrap;
  }
  [role='tab'][aria-selected='true'] {
    background: var(--kw-panel);
    color: var(--kw-text);
    box-shadow: inset 0 -2px 0 var(--kw-accent);
  }
  [role='tab']:focus-visible {
    outline: 2px solid var(--kw-focus);
    outline-offset: -2px;
  }
  .tab-note {
    font-weight: 400;
    color: var(--kw-fail);
    margin-left: 4px;
  }
  [role='tabpanel'] {
    flex: 1;
    min-height: 0;
    display: flex;
    flex-direction: column;
  }
  [role='tabpanel'][hidden] {
    display: none;
  }
  [role='tabpanel'] > * {
    flex: 1;
    min-height: 0;
  }
  kw-packet-list {
    flex: 1;
  }
  .detail-body {
    flex: 1;
    min-height: 0;
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    grid-template-rows: minmax(0, 1.2fr) minmax(0, 1fr);
    container-type: inline-size;
  }
  .detail-body > * {
    min-height: 0;
    border-top: 1px solid var(--kw-border);
  }
  .detail-body > :first-child {
    border-top: 0;
  }
  .detail-body.no-bytes {
    grid-template-rows: minmax(0, 1fr) 0;
  }
  .detail-body.no-bytes kw-hex-view {
    display: none;
  }
  @container (min-width: 760px) {
    .detail-body {
      grid-template-columns: minmax(0, 1fr) auto;
      grid-template-rows: minmax(0, 1fr);
    }
    .detail-body > * {
      border-top: 0;
    }
    kw-hex-view {
      border-left: 1px solid var(--kw-border);
    }
  }
  .dropzone {
    position: fixed;
    inset: 0;
    z-index: 20;
    display: flex;
    align-items: center;
    justify-content: center;
    background: rgba(36, 86, 199, 0.15);
    border: 4px dashed var(--kw-accent);
    font-size: 20px;
    font-weight: 700;
    color: var(--kw-accent);
    pointer-events: none;
  }
  /* Narrow screens: the panels stack and the page scrolls. */
  @media (max-width: 1000px) {
    :host {
      height: auto;
      min-height: 100vh;
    }
    main,
    main.editing {
      grid-template-columns: minmax(0, 1fr);
      grid-template-rows: 440px 420px 480px 460px;
      grid-template-areas: 'top' 'list' 'detail' 'side';
    }
    .scenario {
      max-width: 100%;
      flex-basis: 100%;
      order: 1;
    }
    .actions {
      margin-left: 0;
    }
  }
`;
