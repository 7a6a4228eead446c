// The rating scales, mirrored from server/ratings.py (labels, titles, colours).
// The extension has no build step that could read the Python module, so the values are copied
// here; test/scales.test.js parses ratings.py and fails if the two ever drift apart.

export const BIAS = [
  { label: 'far-left', title: 'Far left', short: 'Far L', score: -3, color: '#1d4ed8' },
  { label: 'left', title: 'Left', short: 'Left', score: -2, color: '#2563eb' },
  { label: 'lean-left', title: 'Lean left', short: 'Lean L', score: -1, color: '#60a5fa', ink: '#0b1b36' },
  { label: 'center', title: 'Center', short: 'Center', score: 0, color: '#8b5cf6' },
  { label: 'lean-right', title: 'Lean right', short: 'Lean R', score: 1, color: '#f87171', ink: '#3b0a0a' },
  { label: 'right', title: 'Right', short: 'Right', score: 2, color: '#dc2626' },
  { label: 'far-right', title: 'Far right', short: 'Far R', score: 3, color: '#991b1b' },
];

// `ink` is the text colour on a badge of that colour: white, except on the two light shades where
// white text would fail contrast.
for (const level of BIAS) level.ink ??= '#ffffff';

export const FACTUALITY = [
  { label: 'very-high', title: 'Very high', score: 5, color: '#15803d' },
  { label: 'high', title: 'High', score: 4, color: '#22c55e' },
  { label: 'mixed', title: 'Mixed', score: 3, color: '#eab308' },
  { label: 'low', title: 'Low', score: 2, color: '#f97316' },
  { label: 'very-low', title: 'Very low', score: 1, color: '#dc2626' },
];

export const OWNERSHIP = {
  corporate: 'Media group or listed company',
  private: 'Privately held (family, individual or investors)',
  nonprofit: 'Non-profit or trust',
  cooperative: 'Cooperative of members',
  public: 'Public service broadcaster, editorially independent',
  state: 'State-controlled',
};

// The three sides of a bias split. Their colours are the middle shade of each side, so the split
// bar reads the same as the badges.
export const SIDES = [
  { label: 'left', title: 'Left', color: '#2563eb' },
  { label: 'center', title: 'Center', color: '#8b5cf6' },
  { label: 'right', title: 'Right', color: '#dc2626' },
];

const BIAS_BY_LABEL = new Map(BIAS.map((level) => [level.label, level]));
const FACTUALITY_BY_LABEL = new Map(FACTUALITY.map((level) => [level.label, level]));

/** Return the bias level of a label, or null for a missing or unknown one. */
export function biasLevel(label) {
  return BIAS_BY_LABEL.get(label) ?? null;
}

/** Return the factuality level of a label, or null for a missing or unknown one. */
export function factualityLevel(label) {
  return FACTUALITY_BY_LABEL.get(label) ?? null;
}

/** Return the side (left, center, right) a bias label counts for, as server/ratings.side_of. */
export function sideOf(label) {
  const level = biasLevel(label);
  if (!level) return null;
  if (level.score < 0) return 'left';
  if (level.score > 0) return 'right';
  return 'center';
}

/** Return the badge text for a toolbar icon: at most 4 characters. */
export function toolbarText(label) {
  const texts = {
    'far-left': 'FL', left: 'L', 'lean-left': 'LL', center: 'C',
    'lean-right': 'LR', right: 'R', 'far-right': 'FR',
  };
  return texts[label] ?? '';
}
