import { css } from 'lit';

export default css`
  :host {
    display: block;
    overflow: auto;
    min-height: 0;
    font-size: var(--kw-font-size);
    color: var(--kw-text);
    background: var(--kw-panel);
  }
  .empty {
    padding: 12px;
    color: var(--kw-muted);
  }
  header {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 12px;
    align-items: center;
    padding: 6px 10px;
    border-bottom: 1px solid var(--kw-border);
    background: var(--kw-panel-alt);
    font-size: 12px;
    color: var(--kw-muted);
  }
  header b {
    color: var(--kw-text);
  }
  header label {
    margin-left: auto;
  }
  h3 {
    margin: 10px 10px 4px;
    font-size: 12px;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--kw-muted);
  }
  h3 .count {
    font-weight: 400;
    text-transform: none;
  }
  details {
    margin: 0 10px 4px;
  }
  summary {
    cursor: pointer;
    font-size: 12px;
    font-weight: 600;
  }
  summary.here {
    color: var(--kw-accent);
  }
  table {
    border-collapse: collapse;
    margin: 2px 0 6px 14px;
    font: var(--kw-mono-size) / 1.45 var(--kw-mono);
  }
  th {
    font-family: var(--kw-font);
    font-weight: 500;
    color: var(--kw-muted);
    text-align: left;
    padding-right: 14px;
  }
  td {
    padding-right: 14px;
    white-space: nowrap;
  }
  .none {
    margin: 0 10px;
    color: var(--kw-faint);
    font-size: 12px;
  }
  ul {
    margin: 0 10px 8px;
    padding: 0;
    list-style: none;
    font: var(--kw-mono-size) / 1.45 var(--kw-mono);
  }
  li .t {
    color: var(--kw-faint);
    margin-right: 8px;
  }
  .svc {
    font-weight: 600;
    vertical-align: top;
  }
  #state-endpoints td {
    white-space: normal;
    overflow-wrap: anywhere;
  }
`;
