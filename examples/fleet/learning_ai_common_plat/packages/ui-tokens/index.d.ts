export type Shade = 50 | 100 | 500 | 700 | 900;
export type Palette = Readonly<Record<'ink' | 'brand' | 'success' | 'warning' | 'danger', Partial<Record<Shade, string>>>>;
export type ThemeName = 'light' | 'dark';
export type SemanticColor = 'background' | 'surface' | 'text' | 'muted' | 'accent';

export declare const palette: Palette;
export declare const themes: Readonly<Record<ThemeName, Record<SemanticColor, string>>>;
export declare const spacing: Readonly<Record<number, string>>;
export declare const radii: Readonly<Record<'none' | 'sm' | 'md' | 'lg' | 'pill', string>>;
export declare const fontSizes: Readonly<Record<'xs' | 'sm' | 'md' | 'lg' | 'xl', string>>;

export declare function space(step: number): string;
export declare function resolveColor(ref: string): string;
export declare function luminance(hex: string): number;
export declare function contrastRatio(a: string, b: string): number;
export declare function cssVariables(theme?: ThemeName): Record<string, string>;
export declare function toCss(selector: string, vars: Record<string, string>): string;
