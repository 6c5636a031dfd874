/** One checkbox per permission (lib/permissions/permission_names.ts), named by its label. */
import { PERMISSIONS } from "../../lib/permissions/permission_names.ts";
import { PERMISSION_LABELS } from "./labels.ts";

export interface PermissionBoxesProps {
  chosen: Set<string>;
  onChange: (chosen: Set<string>) => void;
  /** Permissions the editor may not grant (the actor lacks them); kept as they are. */
  locked?: (name: string) => boolean;
}

export function PermissionBoxes({ chosen, onChange, locked }: PermissionBoxesProps) {
  return (
    <fieldset class="space-y-1">
      <legend class="text-sm font-semibold">Permissions</legend>
      {PERMISSIONS.map((name) => {
        const [label, help] = PERMISSION_LABELS[name];
        const id = `permission-${name}`;
        return (
          <div key={name} class="flex items-start gap-2 rounded-md px-1 py-1">
            <input
              id={id}
              type="checkbox"
              value={name}
              checked={chosen.has(name)}
              disabled={locked?.(name)}
              aria-describedby={`${id}-help`}
              class="mt-1 h-4 w-4"
              onChange={(event) => {
                const next = new Set(chosen);
                if (event.currentTarget.checked) next.add(name);
                else next.delete(name);
                onChange(next);
              }}
            />
            <span>
              <label for={id} class="text-sm font-medium">{label}</label>
              <span id={`${id}-help`} class="block text-xs text-slate-600 dark:text-slate-400">
                {help}
              </span>
            </span>
          </div>
        );
      })}
    </fieldset>
  );
}
