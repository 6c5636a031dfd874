/**
 * The password policy beyond length (API.md "Accounts"): a password must not be one of the
 * common passwords people and cracking lists try first, nor contain the username.
 *
 * The list is zxcvbn-ts's `passwords-common` (about 49,000 entries from real leaks, kept up to
 * date by that project). It becomes a Set on first use (about 25 ms, once), so a check is one
 * lowercase and one lookup: cheap enough for the event loop, and the input is already bounded
 * by PASSWORD_MAX_LENGTH (lib/text.ts checks the length first).
 */
import { dictionary } from "@zxcvbn-ts/language-common";
import { Invalid } from "../errors.ts";

let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(dictionary["passwords-common"].map((password) => password.toLowerCase()));
  return common;
}

/** Whether the password, in any case, is on the common-passwords list. */
export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}

/**
 * Throws `400 weak_password` for a common password or one that contains the username (any
 * case). Call it after the length check.
 */
export function checkPasswordPolicy(password: string, username: string): void {
  if (username !== "" && password.toLowerCase().includes(username.toLowerCase())) {
    throw new Invalid(
      "weak_password",
      "The password must not contain your username.",
      "password",
    );
  }
  if (isCommonPassword(password)) {
    throw new Invalid(
      "weak_password",
      "This password is among the most common ones, which attackers try first: choose another.",
      "password",
    );
  }
}
