import { css } from 'lit';

export default css`
  :host {
    display: block;
    overflow: auto;
    min-height: 0;
    font: var(--kw-mono-size) / 1.5 var(--kw-mono);
    color: var(--kw-text);
    background: var(--kw-panel);
    padding: 4px 8px;
    box-sizing: border-box;
  }
  .empty {
    font-family: var(--kw-font);
    color: var(--kw-muted);
    padding: 4px;
  }
  .line {
    white-space: pre;
  }
  .off {
    color: var(--kw-faint);
    user-select: none;
    margin-right: 12px;
  }
  .hex {
    display: inline-block;
    width: 48ch;
  }
  .ascii {
    margin-left: 12px;
  }
  .b {
    cursor: pointer;
  }
  .b.gap {
    margin-right: 0.6ch;
  }
  .b.ch {
    background: var(--kw-changed);
  }
  .b.hl {
    background: var(--kw-hl);
  }
  .b.hl.ch {
    background: #9cc0ff;
    box-shadow: inset 0 -2px 0 #d59b00;
  }
  .b:hover {
    outline: 1px solid var(--kw-border-strong);
  }
  .legend {
    font-family: var(--kw-font);
    font-size: 11px;
    color: var(--kw-muted);
    margin-top: 4px;
  }
  .legend span {
    padding: 0 4px;
    border-radius: 2px;
  }
  .legend .ch {
    background: var(--kw-changed);
  }
  .legend .hl {
    background: var(--kw-hl);
  }
`;
