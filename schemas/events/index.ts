export * from './v1.ts';
export * from './limits.ts';
export * from './parse.ts';
export { EXAMPLE_EVENTS } from './examples.ts';
