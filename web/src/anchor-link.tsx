import { Anchor, type AnchorProps } from '@mantine/core';
import { createLink, type LinkComponent } from '@tanstack/react-router';
import type { AnchorHTMLAttributes, Ref } from 'react';

type AnchorElementProps = AnchorProps & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href' | 'color' | 'style'> & { ref?: Ref<HTMLAnchorElement> };

function MantineAnchor(props: AnchorElementProps) {
  return <Anchor {...props} />;
}

const CreatedLink = createLink(MantineAnchor);

/** A router link drawn as Mantine's anchor, typed by the routes (paths, parameters, search). */
export const AnchorLink: LinkComponent<typeof MantineAnchor> = (props) => <CreatedLink {...props} />;
