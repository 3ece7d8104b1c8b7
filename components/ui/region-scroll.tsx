import type { ReactNode, Ref } from 'react';

interface Props {
  /** What the box holds, read out when it takes focus. */
  label: string;
  className: string;
  children: ReactNode;
  ref?: Ref<HTMLElement>;
  'data-testid'?: string;
}

/** A box whose wide content scrolls sideways inside it, so the page itself never does on a phone. */
export function RegionScroll({ label, className, children, ref, 'data-testid': testId }: Props) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box takes focus so the keyboard can scroll it
    <section ref={ref} className={className} aria-label={label} tabIndex={0} data-testid={testId}>
      {children}
    </section>
  );
}
