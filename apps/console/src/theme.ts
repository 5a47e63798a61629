import { createTheme, type CSSVariablesResolver } from '@mantine/core';

/**
 * Mantine's defaults with the contrast WCAG 2.1 AA asks for (axe-core checks it in the browser
 * tests): filled and light colours one shade darker than the stock 6, dimmed text a shade darker.
 */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 5 },
  autoContrast: true,
  // Agents who ask their system for less motion get none: popovers and dialogs appear at once.
  respectReducedMotion: true,
});

export const cssVariables: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': t.colors.gray[7],
    '--mantine-color-error': t.colors.red[8],
  },
  dark: {},
});
