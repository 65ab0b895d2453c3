import { css } from 'lit';

export default css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    height: 100%;
    font-size: var(--kw-font-size);
    color: var(--kw-text);
    background: var(--kw-panel);
    position: relative;
    --line: 18px;
    --pad: 6px;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px 8px;
    padding: 4px 6px;
    border-bottom: 1px solid var(--kw-border);
    background: var(--kw-panel-alt);
  }
  .toolbar label {
    display: inline-flex;
    gap: 4px;
    align-items: center;
    font-size: 12px;
    color: var(--kw-muted);
  }
  select,
  button {
    font: inherit;
    font-size: 12px;
    height: 24px;
    padding: 0 8px;
    border: 1px solid var(--kw-border-strong);
    border-radius: var(--kw-radius);
    background: #fff;
    color: var(--kw-text);
    cursor: pointer;
  }
  button:hover {
    background: var(--kw-accent-soft);
  }
  .file {
    font: var(--kw-mono-size) var(--kw-mono);
    color: var(--kw-muted);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    max-width: 220px;
  }
  .hint {
    margin-left: auto;
    font-size: 11px;
    color: var(--kw-faint);
  }
  .draft {
    display: flex;
    gap: 8px;
    align-items: center;
    padding: 4px 8px;
    background: var(--kw-warn-soft);
    color: #5a3d00;
    font-size: 12px;
    border-bottom: 1px solid #f0d58a;
  }
  .editor {
    flex: 1;
    min-height: 120px;
    display: flex;
    position: relative;
    overflow: hidden;
    font: var(--kw-mono-size) / var(--line) var(--kw-mono);
  }
  .gutter {
    flex: none;
    width: 5.5ch;
    overflow: hidden;
    background: #f1f3f6;
    border-right: 1px solid var(--kw-border);
    color: var(--kw-faint);
    text-align: right;
    user-select: none;
    position: relative;
  }
  .gutter-inner {
    padding: var(--pad) 0;
    will-change: transform;
  }
  .ln {
    height: var(--line);
    padding-right: 6px;
    position: relative;
  }
  .ln.error {
    color: #fff;
    background: var(--kw-fail);
    font-weight: 700;
  }
  .ln.warning {
    background: var(--kw-warn-soft);
    color: var(--kw-warn);
    font-weight: 700;
  }
  .code {
    flex: 1;
    position: relative;
    overflow: hidden;
    min-width: 0;
  }
  .overlay {
    position: absolute;
    inset: 0;
    pointer-events: none;
    overflow: hidden;
  }
  .overlay-inner {
    position: absolute;
    top: 0;
    left: 0;
    will-change: transform;
  }
  .band {
    position: absolute;
    left: 0;
    width: 100000px;
    height: var(--line);
    background: rgba(220, 38, 38, 0.1);
  }
  .band.warning {
    background: rgba(202, 138, 4, 0.12);
  }
  .squiggle {
    position: absolute;
    height: var(--line);
    text-decoration: underline wavy var(--kw-fail);
    text-underline-offset: 3px;
    color: transparent;
    white-space: pre;
  }
  .squiggle.warning {
    text-decoration-color: var(--kw-warn);
  }
  .inline-msg {
    position: absolute;
    height: var(--line);
    white-space: pre;
    color: var(--kw-fail);
    font-style: italic;
    opacity: 0.9;
  }
  .inline-msg.warning {
    color: var(--kw-warn);
  }
  textarea {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    box-sizing: border-box;
    margin: 0;
    border: 0;
    padding: var(--pad) var(--pad);
    resize: none;
    outline: none;
    background: transparent;
    color: var(--kw-text);
    font: inherit;
    line-height: var(--line);
    white-space: pre;
    overflow: auto;
    tab-size: 2;
    caret-color: var(--kw-text);
  }
  textarea:focus-visible {
    box-shadow: inset 0 0 0 2px var(--kw-focus);
  }
  .status {
    display: flex;
    gap: 12px;
    padding: 2px 8px;
    font-size: 11px;
    color: var(--kw-muted);
    border-top: 1px solid var(--kw-border);
    background: var(--kw-panel-alt);
  }
  .status .errors {
    color: var(--kw-fail);
    font-weight: 600;
  }
  .status .ok {
    color: var(--kw-pass);
  }
  .problems {
    max-height: 32%;
    overflow: auto;
    margin: 0;
    padding: 0;
    list-style: none;
    border-top: 1px solid var(--kw-border);
    font-size: 12px;
  }
  .problems li {
    border-bottom: 1px solid #f0f1f4;
  }
  .problems button {
    all: unset;
    box-sizing: border-box;
    display: block;
    width: 100%;
    padding: 3px 8px;
    cursor: pointer;
    font: var(--kw-mono-size) / 1.4 var(--kw-mono);
    white-space: pre-wrap;
    word-break: break-word;
  }
  .problems button:hover,
  .problems button:focus-visible {
    background: #fff3f3;
  }
  .problems .sev {
    font-family: var(--kw-font);
    font-weight: 700;
    font-size: 11px;
    text-transform: uppercase;
    padding: 0 4px;
    border-radius: 2px;
    margin-right: 6px;
  }
  .problems .error .sev {
    background: var(--kw-fail);
    color: #fff;
  }
  .problems .warning .sev {
    background: var(--kw-warn-soft);
    color: var(--kw-warn);
  }
  .problems .where {
    color: var(--kw-accent);
  }
  .problems .path {
    color: var(--kw-muted);
  }
  .dropzone {
    position: absolute;
    inset: 0;
    z-index: 5;
    display: flex;
    align-items: center;
    justify-content: center;
    background: rgba(36, 86, 199, 0.12);
    border: 3px dashed var(--kw-accent);
    font-size: 16px;
    font-weight: 600;
    color: var(--kw-accent);
    pointer-events: none;
  }
  input[type='file'] {
    display: none;
  }
`;
