// Entry point of the page: defines the components.
import './app-shell.ts';
