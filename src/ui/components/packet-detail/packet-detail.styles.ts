import { css } from 'lit';

export default css`
  :host {
    display: block;
    overflow: auto;
    min-height: 0;
    font: var(--kw-mono-size) / 1.45 var(--kw-mono);
    color: var(--kw-text);
    background: var(--kw-panel);
  }
  .empty {
    padding: 12px;
    font-family: var(--kw-font);
    color: var(--kw-muted);
  }
  .head {
    padding: 4px 8px;
    font-family: var(--kw-font);
    font-size: 12px;
    color: var(--kw-muted);
    border-bottom: 1px solid var(--kw-border);
    background: var(--kw-panel-alt);
    position: sticky;
    top: 0;
    z-index: 1;
  }
  .head b {
    color: var(--kw-text);
  }
  .nat-note {
    color: var(--kw-row-nat-text);
    background: var(--kw-changed);
    padding: 0 4px;
    border-radius: 2px;
  }
  details {
    border-bottom: 1px solid #eef0f3;
  }
  summary {
    cursor: pointer;
    padding: 1px 6px;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    background: #f3f5f9;
  }
  summary .lname {
    font-weight: 700;
  }
  summary.err {
    color: var(--kw-fail);
  }
  summary.changed {
    background: var(--kw-changed);
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0 0 0 14px;
  }
  li > .field {
    display: block;
    padding: 0 6px;
    white-space: nowrap;
    cursor: pointer;
    border-radius: 2px;
  }
  .field:hover {
    background: #eef3ff;
  }
  .field:focus-visible {
    outline: 2px solid var(--kw-focus);
    outline-offset: -2px;
  }
  .field.changed {
    background: var(--kw-changed);
  }
  .field[aria-selected='true'] {
    background: var(--kw-hl-strong);
    color: #fff;
  }
  .fname {
    color: #4a3aa7;
  }
  .field[aria-selected='true'] .fname {
    color: #fff;
  }
  del {
    color: var(--kw-fail);
    text-decoration: line-through;
  }
  ins {
    text-decoration: none;
    font-weight: 700;
  }
  .field[aria-selected='true'] del {
    color: #ffd3d3;
  }
  .error {
    color: var(--kw-fail);
    padding: 0 6px 0 20px;
  }
`;
