/**
 * Imported by the server's pages (components/chat/ChannelPage.tsx) for its effect: image
 * placeholders are drawn into the page's HTML. Never imported by an island (the browser loads
 * the decoder only when it needs it, placeholder.ts).
 */
import { setPlaceholderDecoder } from "./placeholder.ts";
import { decodePlaceholder } from "./placeholder_decode.ts";

setPlaceholderDecoder(decodePlaceholder);
