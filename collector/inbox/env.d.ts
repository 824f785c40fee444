/** Stylesheets imported for their side effect: Vite puts them in the page's CSS file. */
declare module '*.css';
