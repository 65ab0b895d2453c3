// Entry point of the page: defines the components (the shell imports every view it uses).
import './components/app-shell/app-shell.ts';
