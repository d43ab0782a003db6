// Vite's asset imports, declared here so the demo typechecks without vite's own client types.
declare module '*?url' {
  const url: string;
  export default url;
}
declare module '*?raw' {
  const text: string;
  export default text;
}
