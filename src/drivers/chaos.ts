// Fault injection for scenarios: stops, kills, pauses and restarts components of the run through the
// fault targets the environment handed over, remembers what it broke, and puts everything back
// afterwards, so that the next scenario meets a whole pipeline.
import type { ComponentName } from '../config/schema.ts';
import { type ComponentHandle, componentHandle } from './component-handles.ts';
import { type ExtraInstance, startExtraInstance } from './extra-instances.ts';
import { type FaultTargets, faultTargetNamed } from './fault-targets.ts';

type Broken = 'stopped' | 'paused';

export interface Chaos {
  stop(component: ComponentName): Promise<void>;
  kill(component: ComponentName): Promise<void>;
  pause(component: ComponentName): Promise<void>;
  unpause(component: ComponentName): Promise<void>;
  /** Starts a stopped component and resolves once it is ready. */
  start(component: ComponentName): Promise<void>;
  restart(component: ComponentName): Promise<void>;
  logTail(component: ComponentName, lines?: number): Promise<string>;
  /** One more instance of the component (scale-out); removed again by restoreAll. */
  addInstance(component: ComponentName): Promise<string>;
  /** Brings back whatever is still broken and waits until it is ready; says what it restored. */
  restoreAll(): Promise<string[]>;
}

export function createChaos(targets: FaultTargets): Chaos {
  const handles = new Map<ComponentName, ComponentHandle>();
  const broken = new Map<ComponentName, Broken>();
  const extras: ExtraInstance[] = [];
  const handle = (component: ComponentName) => {
    const existing =
      handles.get(component) ?? componentHandle(faultTargetNamed(targets, component), targets.secrets);
    handles.set(component, existing);
    return existing;
  };
  const mark = (component: ComponentName, state: Broken | undefined) => {
    if (state) broken.set(component, state);
    else broken.delete(component);
  };
  return {
    async stop(component) {
      mark(component, 'stopped');
      await handle(component).stop();
    },
    async kill(component) {
      mark(component, 'stopped');
      await handle(component).kill();
    },
    async pause(component) {
      mark(component, 'paused');
      await handle(component).pause();
    },
    async unpause(component) {
      await handle(component).unpause();
      mark(component, undefined);
    },
    async start(component) {
      await handle(component).start();
      mark(component, undefined);
    },
    async restart(component) {
      await handle(component).restart();
      mark(component, undefined);
    },
    logTail: (component, lines) => handle(component).logTail(lines),
    async addInstance(component) {
      const extra = await startExtraInstance(faultTargetNamed(targets, component));
      extras.push(extra);
      return extra.description;
    },
    async restoreAll() {
      const restored = [
        ...[...broken].map(([component, state]) => `${component} (${state})`),
        ...extras.map((extra) => `${extra.description} removed`),
      ];
      for (const extra of extras.splice(0)) await extra.stop();
      for (const [component, state] of [...broken]) {
        if (state === 'paused') await handle(component).unpause();
        else await handle(component).start();
        mark(component, undefined);
      }
      return restored;
    },
  };
}
