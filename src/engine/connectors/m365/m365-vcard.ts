/**
 * Graph contact ↔ vCard 3.0 (RFC 2426), the form contacts cross platforms in. Covered: names,
 * e-mail addresses, phones (mobile, business, home), company, department, job title, business and
 * home addresses, birthday, nickname, web page, categories and notes. Photos are not carried.
 */
import { HASH_PROPERTY } from './m365-context.js';
import { contentLines, escapeText, fold, unescapeText } from './m365-ics.js';

interface GraphAddress { street?: string; city?: string; state?: string; postalCode?: string; countryOrRegion?: string }

export interface GraphContact {
  id?: string;
  displayName?: string;
  givenName?: string;
  surname?: string;
  middleName?: string;
  title?: string;
  nickName?: string;
  emailAddresses?: { address?: string; name?: string }[];
  mobilePhone?: string | null;
  businessPhones?: string[];
  homePhones?: string[];
  companyName?: string;
  department?: string;
  jobTitle?: string;
  businessAddress?: GraphAddress;
  homeAddress?: GraphAddress;
  birthday?: string | null;
  businessHomePage?: string;
  personalNotes?: string;
  categories?: string[];
  singleValueExtendedProperties?: { id: string; value: string }[];
}

function adr(type: string, a: GraphAddress | undefined): string | undefined {
  if (!a || !Object.values(a).some(Boolean)) return undefined;
  return `ADR;TYPE=${type}:;;${[a.street, a.city, a.state, a.postalCode, a.countryOrRegion].map((v) => escapeText(v ?? '')).join(';')}`;
}

/** A Graph contact as a vCard 3.0 (stable: the same contact gives the same bytes). */
export function contactToVcard(c: GraphContact): string {
  const name = c.displayName || [c.givenName, c.surname].filter(Boolean).join(' ') || c.emailAddresses?.[0]?.address || '';
  const lines = [
    'BEGIN:VCARD', 'VERSION:3.0',
    `FN:${escapeText(name)}`,
    `N:${[c.surname, c.givenName, c.middleName, c.title, ''].map((v) => escapeText(v ?? '')).join(';')}`,
    c.nickName ? `NICKNAME:${escapeText(c.nickName)}` : undefined,
    ...(c.emailAddresses ?? []).filter((e) => e.address).map((e) => `EMAIL;TYPE=INTERNET:${e.address}`),
    c.mobilePhone ? `TEL;TYPE=CELL:${c.mobilePhone}` : undefined,
    ...(c.businessPhones ?? []).map((p) => `TEL;TYPE=WORK:${p}`),
    ...(c.homePhones ?? []).map((p) => `TEL;TYPE=HOME:${p}`),
    c.companyName || c.department ? `ORG:${escapeText(c.companyName ?? '')}${c.department ? `;${escapeText(c.department)}` : ''}` : undefined,
    c.jobTitle ? `TITLE:${escapeText(c.jobTitle)}` : undefined,
    adr('WORK', c.businessAddress), adr('HOME', c.homeAddress),
    c.birthday ? `BDAY:${c.birthday.slice(0, 10)}` : undefined,
    c.businessHomePage ? `URL:${c.businessHomePage}` : undefined,
    c.categories?.length ? `CATEGORIES:${c.categories.map(escapeText).join(',')}` : undefined,
    c.personalNotes ? `NOTE:${escapeText(c.personalNotes)}` : undefined,
    'END:VCARD',
  ];
  return lines.filter((l): l is string => Boolean(l)).map(fold).join('\r\n') + '\r\n';
}

function address(value: string): GraphAddress {
  const [, , street = '', city = '', state = '', postalCode = '', countryOrRegion = ''] = value.split(/(?<!\\);/).map(unescapeText);
  return { street, city, state, postalCode, countryOrRegion };
}

/** A vCard (3.0 or 4.0) as a Graph contact to create, stamped with the source hash. */
export function vcardToContact(vcard: string, sourceHash: string): GraphContact {
  const lines = contentLines(vcard);
  const get = (name: string) => lines.find((l) => l.name === name);
  const typed = (l: { params: Record<string, string> }, type: string) => (l.params.TYPE ?? '').toUpperCase().split(',').includes(type);
  const [surname = '', givenName = '', middleName = '', title = ''] = (get('N')?.value ?? '').split(/(?<!\\);/).map(unescapeText);
  const phones = lines.filter((l) => l.name === 'TEL');
  const [companyName, department] = (get('ORG')?.value ?? '').split(/(?<!\\);/).map(unescapeText);
  const work = lines.find((l) => l.name === 'ADR' && typed(l, 'WORK'));
  const home = lines.find((l) => l.name === 'ADR' && typed(l, 'HOME'));
  const mobile = phones.find((p) => typed(p, 'CELL'));
  const bday = get('BDAY')?.value;
  const categories = get('CATEGORIES')?.value.split(/(?<!\\),/).map(unescapeText).filter(Boolean);
  const contact: GraphContact = {
    displayName: unescapeText(get('FN')?.value ?? ''),
    givenName, surname,
    ...(middleName ? { middleName } : {}),
    ...(title ? { title } : {}),
    ...(get('NICKNAME') ? { nickName: unescapeText(get('NICKNAME')!.value) } : {}),
    emailAddresses: lines.filter((l) => l.name === 'EMAIL').map((l) => ({ address: l.value.trim(), name: l.value.trim() })),
    ...(mobile ? { mobilePhone: mobile.value } : {}),
    businessPhones: phones.filter((p) => typed(p, 'WORK')).map((p) => p.value),
    homePhones: phones.filter((p) => typed(p, 'HOME')).map((p) => p.value),
    ...(companyName ? { companyName } : {}),
    ...(department ? { department } : {}),
    ...(get('TITLE') ? { jobTitle: unescapeText(get('TITLE')!.value) } : {}),
    ...(work ? { businessAddress: address(work.value) } : {}),
    ...(home ? { homeAddress: address(home.value) } : {}),
    ...(bday && /^\d{4}-?\d{2}-?\d{2}/.test(bday) ? { birthday: `${bday.replace(/-/g, '').replace(/^(\d{4})(\d{2})(\d{2}).*$/, '$1-$2-$3')}T11:59:00Z` } : {}),
    ...(get('URL') ? { businessHomePage: get('URL')!.value } : {}),
    ...(categories?.length ? { categories } : {}),
    ...(get('NOTE') ? { personalNotes: unescapeText(get('NOTE')!.value) } : {}),
    singleValueExtendedProperties: [{ id: HASH_PROPERTY, value: sourceHash }],
  };
  // Phones without a type go where Outlook shows them first.
  const untyped = phones.filter((p) => !['CELL', 'WORK', 'HOME'].some((t) => typed(p, t))).map((p) => p.value);
  if (untyped.length > 0) contact.businessPhones = [...(contact.businessPhones ?? []), ...untyped];
  return contact;
}
