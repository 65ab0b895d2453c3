import KwScenarioEditor from './scenario-editor.component.ts';

export { KwScenarioEditor };
customElements.define('kw-scenario-editor', KwScenarioEditor);

declare global {
  interface HTMLElementTagNameMap {
    'kw-scenario-editor': KwScenarioEditor;
  }
}
