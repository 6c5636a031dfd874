/**
 * Renders a page to HTML: the body first (collecting the islands it uses), then the document
 * shell around it with the islands' serialised props and scripts.
 */
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { Document } from "../components/Document.tsx";
import { IslandCollector, IslandContext } from "../lib/islands/island.ts";
import { escapeForScript, serializeProps } from "../islands/runtime/props.ts";

export interface PageOptions {
  title: string;
  body: VNode;
}

/** The complete HTML document for a page. */
export function renderPage({ title, body }: PageOptions): string {
  const collector = new IslandCollector();
  const bodyHtml = renderToString(
    <IslandContext.Provider value={{ collector, insideIsland: false }}>
      {body}
    </IslandContext.Provider>,
  );
  const islandProps = collector.props.length > 0
    ? escapeForScript(serializeProps(collector.props))
    : null;
  return "<!DOCTYPE html>" + renderToString(
    <Document title={title} islandNames={[...collector.names]} islandProps={islandProps}>
      <div class="contents" dangerouslySetInnerHTML={{ __html: bodyHtml }} />
    </Document>,
  );
}
