/** The id of the channel header's `Search` box (components/chat/SearchBox.tsx renders it). */
export const SEARCH_BOX_ID = "search";
