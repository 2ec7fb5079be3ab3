const BASE = 4;

/** 4px spacing scale: space(0)=0px, space(1)=4px, space(4)=16px. */
export function space(step) {
  if (!Number.isInteger(step) || step < 0 || step > 16) throw new RangeError(`Invalid spacing step: ${step}`);
  return `${step * BASE}px`;
}

export const spacing = Object.freeze(Object.fromEntries([0, 1, 2, 3, 4, 6, 8, 12, 16].map((s) => [s, space(s)])));

export const radii = Object.freeze({ none: '0px', sm: '2px', md: '6px', lg: '12px', pill: '9999px' });

export const fontSizes = Object.freeze({ xs: '12px', sm: '14px', md: '16px', lg: '20px', xl: '28px' });
