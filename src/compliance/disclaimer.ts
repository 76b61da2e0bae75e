/** Said plainly on every output that draws on the jurisdiction rules. */
export const NOT_LEGAL_ADVICE =
  'Tocsin is not legal advice. Its jurisdiction rules summarise public sources as of their last-reviewed date; ' +
  'laws and authorities change, and many duties turn on facts only you and your counsel can judge. ' +
  'Have counsel confirm every obligation and deadline before relying on it.';
