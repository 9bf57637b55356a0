// Edit this text while the dev server runs: the page shows the new one without reloading.
export const greeting = "Hello from the Vite dev server";
