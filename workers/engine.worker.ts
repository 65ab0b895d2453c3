// The engine's home off the main thread: exposes the EngineHost over comlink.
import * as Comlink from 'comlink';
import { EngineHost } from './engine-host.ts';

Comlink.expose(new EngineHost());
