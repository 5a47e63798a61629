/** The demo library seeded on the embedded default: enough to click through every screen. */
export const DEMO = {
  library: {
    slug: 'demo',
    name: 'Riverside Public Library',
    defaultCountry: 'US',
    defaultLanguage: 'en',
    timeZone: 'America/New_York',
    keepHistoryByDefault: false,
  },
  branches: [
    { code: 'central', name: 'Central Library', timeZone: 'America/New_York', address: '1 Library Plaza, Riverside' },
    { code: 'lakeside', name: 'Lakeside Branch', timeZone: 'America/Chicago', address: '40 Shore Road, Lakeside' },
  ],
  /** Opening hours per branch code; departments follow their branch's unless given their own. */
  calendars: {
    central: {
      weekly: [
        ...(['monday', 'tuesday', 'wednesday', 'thursday'] as const).map((day) => ({
          day,
          start: '09:00',
          end: '20:00',
        })),
        { day: 'friday', start: '09:00', end: '18:00' },
        { day: 'saturday', start: '10:00', end: '17:00' },
        { day: 'sunday', start: '13:00', end: '17:00' },
      ],
    },
    lakeside: {
      // A lunch closure: one librarian staffs the branch.
      weekly: [
        ...(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const).flatMap((day) => [
          { day, start: '10:00', end: '13:00' },
          { day, start: '14:00', end: '18:00' },
        ]),
        { day: 'saturday', start: '10:00', end: '14:00' },
      ],
    },
  },
  holidays: [
    { date: '01-01', name: "New Year's Day" },
    { date: '07-04', name: 'Independence Day' },
    { date: '12-25', name: 'Christmas Day' },
    { date: '2026-11-26', name: 'Thanksgiving' },
    { date: '2027-11-25', name: 'Thanksgiving' },
  ],
  /** Each in a branch (by code): the library has two, with different hours. */
  departments: [
    {
      code: 'reference',
      name: 'Reference',
      description: 'Research help, ready reference and local history',
      branch: 'central',
    },
    {
      code: 'circulation',
      name: 'Circulation',
      description: 'Loans, renewals, holds, fines and library cards',
      branch: 'central',
    },
    {
      code: 'childrens',
      name: "Children's",
      description: 'Story time, school visits and reading for young readers',
      branch: 'lakeside',
    },
    {
      code: 'ill',
      name: 'Inter-library loan',
      description: 'Borrowing from and lending to other libraries',
      branch: 'central',
    },
    {
      code: 'eresources',
      name: 'E-resources',
      description: 'E-books, databases, remote access and devices',
      branch: 'central',
    },
  ],
  /** Routing rules, in order (README: "route a keyword to ILL"). */
  routingRules: [
    {
      name: 'Inter-library loan requests',
      keywords: ['interlibrary loan', 'inter-library loan', 'ILL'],
      department: 'ill',
      tags: ['ill'],
    },
  ],
  /** Every demo agent signs in with DEMO_AGENT_PASSWORD. */
  agents: [
    {
      email: 'sam.okafor@demo.readerdesk.org',
      displayName: 'Sam Okafor',
      role: 'supervisor',
      departments: ['reference', 'ill'],
    },
    {
      email: 'lena.hoffmann@demo.readerdesk.org',
      displayName: 'Lena Hoffmann',
      role: 'agent',
      departments: ['reference', 'eresources'],
    },
    {
      email: 'arash.karimi@demo.readerdesk.org',
      displayName: 'Arash Karimi',
      role: 'agent',
      departments: ['circulation'],
    },
    {
      email: 'mei.chen@demo.readerdesk.org',
      displayName: 'Mei Chen',
      role: 'agent',
      departments: ['childrens', 'circulation'],
    },
  ],
  readers: [
    {
      displayName: 'Maria Gonzalez',
      email: 'maria.gonzalez@example.org',
      phone: '(212) 555-0101',
      cardNumber: '21000000001',
      category: 'adult',
      preferredLanguage: 'es',
      branch: 'central',
      keepHistory: true,
    },
    {
      displayName: 'Reza Ahmadi',
      email: 'reza.ahmadi@example.org',
      phone: '(212) 555-0102',
      cardNumber: '21000000002',
      category: 'adult',
      preferredLanguage: 'fa',
      branch: 'lakeside',
      keepHistory: false,
    },
    {
      displayName: 'Wang Fang',
      email: 'wang.fang@example.org',
      phone: '(212) 555-0103',
      cardNumber: '21000000003',
      category: 'student',
      preferredLanguage: 'zh',
      branch: 'central',
      keepHistory: true,
    },
    {
      displayName: 'Tom Becker',
      email: 'parent.becker@example.org',
      phone: '(212) 555-0104',
      cardNumber: '21000000004',
      category: 'child',
      preferredLanguage: 'en',
      branch: 'lakeside',
      keepHistory: false,
    },
    {
      displayName: 'Aisha Bello',
      email: 'aisha.bello@example.org',
      phone: '(212) 555-0105',
      cardNumber: '21000000005',
      category: 'staff',
      preferredLanguage: 'en',
      branch: 'central',
      keepHistory: false,
    },
  ],
} as const;

export const DEMO_ADMIN = {
  email: 'admin@demo.readerdesk.org',
  password: 'readerdesk-demo',
  displayName: 'Desk Administrator',
};
export const DEMO_AGENT_PASSWORD = 'readerdesk-demo';
