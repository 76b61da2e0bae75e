import { NativeSelect } from '@mantine/core';

/**
 * A list filter kept in the URL: "any" (no filter) or one of `options`, each shown by `labelOf`.
 * What the address bar holds is read back only if it is one of the options.
 */
export function FilterSelect<T extends string>(props: { label: string; anyLabel: string; value: T | undefined; options: readonly T[]; labelOf(option: T): string; onChange(value: T | undefined): void }) {
  return (
    <NativeSelect
      label={props.label}
      value={props.value ?? ''}
      onChange={(event) => props.onChange(props.options.find((option) => option === event.currentTarget.value))}
      data={[{ value: '', label: props.anyLabel }, ...props.options.map((option) => ({ value: option, label: props.labelOf(option) }))]}
    />
  );
}
