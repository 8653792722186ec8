/**
 * The kiosk query mix shared by bench:search and bench:pages: words people type at a kiosk, the places they type
 * them with, and working-time filters, so both benchmarks measure the same queries.
 */
import type { WorkingTime } from '../src/domain/enums.ts';

export const KIOSK_WORDS = [
  'Lager',
  'Koch',
  'Pflege',
  'Verkäufer',
  'Fahrer',
  'Elektriker',
  'Reinigung',
  'Küchenhilfe',
  'Staplerfahrer',
  'Pflegehelfer',
  'Helfer Lager',
  'Berufskraftfahrer CE',
  'Kassierer',
  'Erzieher',
  'Bürokaufmann Teilzeit',
  'Fachkraft Lagerlogistik',
  'Altenpfleger',
  'Hausmeister',
  'Mechatroniker',
  'Friseur',
];

export const KIOSK_PLACES = [
  'Stuttgart',
  'Esslingen am Neckar',
  'Ludwigsburg',
  '71032',
  'Waiblingen',
  'Göppingen',
  '70563',
];

export const KIOSK_TIMES: WorkingTime[][] = [['teilzeit'], ['vollzeit'], ['minijob', 'teilzeit']];
