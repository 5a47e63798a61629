import '@mantine/core/styles.css';
import '@mantine/spotlight/styles.css';
import './console.css';
import './i18n';
import { createRoot } from 'react-dom/client';
import { DirectionProvider, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './App';
import { cssVariables, theme } from './theme';

const queries = new QueryClient({
  // Socket events patch and invalidate what they touch; nothing polls.
  defaultOptions: { queries: { staleTime: Infinity, refetchOnWindowFocus: false, retry: 1 } },
});

createRoot(document.getElementById('root')!).render(
  <DirectionProvider initialDirection={document.documentElement.dir === 'rtl' ? 'rtl' : 'ltr'}>
    <MantineProvider defaultColorScheme="light" theme={theme} cssVariablesResolver={cssVariables}>
      <QueryClientProvider client={queries}>
        <App />
      </QueryClientProvider>
    </MantineProvider>
  </DirectionProvider>,
);
