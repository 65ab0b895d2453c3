import { css } from 'lit';

export default css`
  :host {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px 10px;
    font-size: var(--kw-font-size);
    color: var(--kw-text);
  }
  .group {
    display: inline-flex;
    align-items: center;
    gap: 2px;
  }
  button,
  select {
    font: inherit;
    font-size: 12px;
    height: 26px;
    padding: 0 8px;
    border: 1px solid var(--kw-control-border, var(--kw-border-strong));
    border-radius: var(--kw-radius);
    background: var(--kw-control-bg, #fff);
    color: var(--kw-control-fg, var(--kw-text));
    cursor: pointer;
    display: inline-flex;
    align-items: center;
    gap: 4px;
  }
  button:hover:not(:disabled) {
    background: var(--kw-control-hover, var(--kw-accent-soft));
  }
  button:disabled {
    opacity: 0.45;
    cursor: default;
  }
  button:focus-visible,
  select:focus-visible {
    outline: 2px solid var(--kw-focus);
    outline-offset: 1px;
  }
  .icon {
    width: 30px;
    padding: 0;
    justify-content: center;
  }
  .run {
    background: var(--kw-accent);
    border-color: var(--kw-accent);
    color: #fff;
    font-weight: 600;
  }
  .run:hover:not(:disabled) {
    background: #1c46a8;
  }
  .run.dirty::after {
    content: '•';
    margin-left: 2px;
  }
  .cancel {
    background: var(--kw-fail);
    border-color: var(--kw-fail);
    color: #fff;
    font-weight: 600;
  }
  .cancel:hover:not(:disabled) {
    background: #951717;
  }
  [aria-pressed='true'] {
    background: var(--kw-control-pressed, var(--kw-accent-soft));
    border-color: #fb923c;
  }
  label {
    font-size: 12px;
    color: var(--kw-muted);
    display: inline-flex;
    align-items: center;
    gap: 4px;
  }
  .pos {
    font: var(--kw-mono-size) var(--kw-mono);
    color: var(--kw-muted);
    white-space: nowrap;
  }
  .pos b {
    color: var(--kw-control-strong, var(--kw-text));
  }
  .progress {
    display: inline-flex;
    align-items: center;
    gap: 8px;
    font: var(--kw-mono-size) var(--kw-mono);
    color: var(--kw-muted);
  }
  .bar {
    width: 140px;
    height: 8px;
    border-radius: 4px;
    background: var(--kw-accent-soft);
    overflow: hidden;
    position: relative;
  }
  .bar::after {
    content: '';
    position: absolute;
    top: 0;
    bottom: 0;
    width: 40%;
    background: var(--kw-accent);
    border-radius: 4px;
    animation: slide 1.1s ease-in-out infinite;
  }
  @keyframes slide {
    from {
      left: -40%;
    }
    to {
      left: 100%;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .bar::after {
      animation: none;
      width: 100%;
      opacity: 0.5;
    }
  }
`;
