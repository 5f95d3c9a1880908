/** The dashboard's icon: a gauge, in the accent colour. */
export const faviconSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#4f46e5"/><path d="M8 21a8 8 0 1 1 16 0" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/><path d="M16 21l5-6" stroke="#a5b4fc" stroke-width="3" stroke-linecap="round"/></svg>`
