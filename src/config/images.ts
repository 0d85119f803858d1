// The container images the defaults name, pinned in one place (default-images.json, also read by scripts/setup.sh).
import defaults from './default-images.json' with { type: 'json' };

export interface DefaultImages {
  readonly rabbitmq: string;
  readonly postgres: string;
  readonly node: string;
}

export const defaultImages: DefaultImages = Object.freeze({ ...defaults });
