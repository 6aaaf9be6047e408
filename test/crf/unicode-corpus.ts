// Sentences in many scripts for the tokenizer and `ebm tag` round-trip tests. `words` lists, for the sentences
// whose words are separated by spaces, the words that must each come out as exactly one token.

export interface UnicodeSample {
  script: string;
  text: string;
  /** Words that must be single tokens (space-delimited scripts). */
  words: string[];
}

export const UNICODE_SAMPLES: UnicodeSample[] = [
  { script: 'Latin with diacritics', text: 'She sent her résumé to the café in Zürich; naïve façade, Øresund, Łódź, São Paulo.', words: ['résumé', 'café', 'Zürich', 'naïve', 'façade', 'Øresund', 'Łódź', 'São', 'Paulo'] },
  { script: 'Latin, decomposed (NFD) accents', text: 'Cafe\u0301 au lait, pin\u0303a colada.', words: ['Cafe\u0301', 'pin\u0303a', 'colada'] },
  { script: 'Vietnamese', text: 'Tiếng Việt có nhiều dấu thanh.', words: ['Tiếng', 'Việt', 'có', 'nhiều', 'dấu', 'thanh'] },
  { script: 'Greek', text: 'Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο.', words: ['γρήγορη', 'καφέ', 'αλεπού', 'πηδάει', 'πάνω', 'από', 'τεμπέλη', 'σκύλο'] },
  { script: 'Cyrillic', text: 'Съешь же ещё этих мягких французских булок, да выпей чаю!', words: ['Съешь', 'ещё', 'этих', 'мягких', 'французских', 'булок', 'выпей', 'чаю'] },
  { script: 'Hebrew', text: 'ברוכים הבאים לישראל. צה"ל והמשטרה הגיעו.', words: ['ברוכים', 'הבאים', 'לישראל', 'צה"ל', 'והמשטרה', 'הגיעו'] },
  { script: 'Hebrew with niqqud', text: 'בְּרֵאשִׁית בָּרָא אֱלֹהִים', words: ['בְּרֵאשִׁית', 'בָּרָא', 'אֱלֹהִים'] },
  { script: 'Arabic', text: 'مرحبا بكم في المدينة، هل تتحدث العربية؟', words: ['مرحبا', 'بكم', 'في', 'المدينة', 'هل', 'تتحدث', 'العربية'] },
  { script: 'Arabic with harakat', text: 'اَلْعَرَبِيَّةُ لُغَةٌ جَمِيلَةٌ.', words: ['اَلْعَرَبِيَّةُ', 'لُغَةٌ', 'جَمِيلَةٌ'] },
  { script: 'Persian with ZWNJ', text: 'می‌خواهم کتاب‌ها را بخوانم.', words: ['می‌خواهم', 'کتاب‌ها', 'را', 'بخوانم'] },
  { script: 'Devanagari', text: 'हिन्दी एक सुंदर भाषा है। क्षत्रिय और ज्ञान।', words: ['हिन्दी', 'एक', 'सुंदर', 'भाषा', 'है', 'क्षत्रिय', 'और', 'ज्ञान'] },
  { script: 'Han (Chinese)', text: '我喜欢在北京吃饺子。你呢？', words: [] },
  { script: 'Japanese', text: '東京は日本の首都です。カタカナとひらがな。', words: [] },
  { script: 'Korean', text: '한국어 문장을 토큰으로 나눕니다.', words: ['한국어', '문장을', '토큰으로', '나눕니다'] },
  { script: 'Thai', text: 'ภาษาไทยไม่มีช่องว่างระหว่างคำ', words: [] },
  { script: 'emoji', text: 'I like 🍕 and 👍🏽 and ❤️ so much 😂😂!', words: ['🍕', '👍🏽', '❤️'] },
  { script: 'emoji ZWJ sequences', text: 'Family 👨‍👩‍👧‍👦 and 🏳️‍🌈 and 👩🏾‍💻 at work.', words: ['👨‍👩‍👧‍👦', '🏳️‍🌈', '👩🏾‍💻'] },
  { script: 'flags, keycaps and tag sequences', text: 'Flags 🇯🇵 🇫🇷 🇺🇸 and 🏴󠁧󠁢󠁳󠁣󠁴󠁿 then 1️⃣ #️⃣ done.', words: ['🇯🇵', '🇫🇷', '🇺🇸', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '1️⃣', '#️⃣'] },
  { script: 'astral letters', text: 'Math 𝒜𝒷𝒸 and Gothic 𐌰𐌱𐌲 and 𠀋𠀌 here.', words: ['𝒜𝒷𝒸', '𐌰𐌱𐌲'] },
];

/** Grapheme-cluster boundaries of `text` (UTF-16 offsets), from Intl.Segmenter. */
export function graphemeBoundaries(text: string): Set<number> {
  const b = new Set<number>([text.length]);
  for (const g of new Intl.Segmenter('und', { granularity: 'grapheme' }).segment(text)) b.add(g.index);
  return b;
}

/** Word boundaries of `text` (UTF-16 offsets) by Unicode word segmentation (UAX #29 + ICU dictionaries). */
export function wordBoundaries(text: string): Set<number> {
  const b = new Set<number>([text.length]);
  for (const g of new Intl.Segmenter('und', { granularity: 'word' }).segment(text)) b.add(g.index);
  return b;
}
