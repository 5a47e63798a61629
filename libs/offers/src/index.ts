export * from './offer.events';
