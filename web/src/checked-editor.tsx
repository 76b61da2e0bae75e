import { List, Text, Textarea } from '@mantine/core';
import { type ReactNode, useRef } from 'react';
import { ErrorAlert } from './errors.tsx';
import { useMessage } from './i18n.tsx';

/** What the server found wrong with the text: at a line, or (null) in the text as a whole. */
export interface EditorProblem {
  line?: number | null;
  message: string;
}

/**
 * A text the server checks as one types (a scope file, a template, a narrative): line numbers
 * beside it, each problem listed and marked at its line in the margin; a click on a problem
 * selects its line. Without `onChange` it is shown, not edited.
 */
export function CheckedEditor({
  id,
  label,
  value,
  onChange,
  problems,
  checking,
  valid,
  error,
}: {
  /** Names the status line the text area refers to; unique on the page. */
  id: string;
  label: string;
  value: string;
  onChange?(value: string): void;
  problems: readonly EditorProblem[];
  checking: boolean;
  /** What to say once the server found nothing wrong. */
  valid?: ReactNode;
  error?: unknown;
}) {
  const t = useMessage();
  const editor = useRef<HTMLTextAreaElement>(null);
  const problemLines = new Set(problems.map((problem) => problem.line));
  const lines = value.split('\n');
  /** Puts the cursor on the problem's line, selected, and the text area in view. */
  const goTo = (line: number) => {
    const area = editor.current;
    if (!area) return;
    const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  };
  const statusId = `${id}-status`;
  return (
    <>
      <div className="checked-editor">
        <div className="checked-editor-gutter" aria-hidden>
          {lines.map((_, index) => (
            <div key={index} className={problemLines.has(index + 1) ? 'checked-editor-problem-line' : undefined}>
              {problemLines.has(index + 1) ? `! ${index + 1}` : index + 1}
            </div>
          ))}
        </div>
        <Textarea
          ref={editor}
          id={id}
          className="checked-editor-text"
          aria-label={label}
          // Mantine sets aria-invalid from error, over a prop of that name.
          error={problems.length > 0}
          aria-describedby={statusId}
          value={value}
          onChange={onChange && ((event) => onChange(event.currentTarget.value))}
          readOnly={!onChange}
          rows={Math.max(lines.length, 8)}
          wrap="off"
          spellCheck={false}
          autoComplete="off"
        />
      </div>
      <div id={statusId} role="status">
        {checking ? (
          <Text size="sm">{t('editor.checking')}</Text>
        ) : problems.length > 0 ? (
          <List size="sm" mt="xs" className="checked-editor-problems">
            {problems.map((problem, index) => (
              <List.Item key={index}>
                {typeof problem.line === 'number' ? (
                  <button type="button" className="checked-editor-problem" onClick={() => goTo(problem.line as number)}>
                    {t('editor.problem', { line: problem.line, message: problem.message })}
                  </button>
                ) : (
                  <Text span size="sm" c="red.9">
                    {problem.message}
                  </Text>
                )}
              </List.Item>
            ))}
          </List>
        ) : valid ? (
          <Text size="sm" mt="xs">
            {valid}
          </Text>
        ) : null}
      </div>
      <ErrorAlert error={error} />
    </>
  );
}
