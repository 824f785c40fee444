/** The package version, filled in at build time. */
declare const __VERSION__: string;

declare module '*.css?inline' {
  /** The stylesheet's text, minified at build time. */
  const css: string;
  export default css;
}
