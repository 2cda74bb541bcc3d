// An on/off server setting of the Settings page (registration, process-exporter names): read
// from /api/v1/settings, shown at once when flipped, saved, and flipped back if the server refuses.
import { useState, useEffect } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { useSubmit } from '../../ui/submit.js';

/**
 * Returns { value, saving, error, status, toggle } for the boolean setting `setting`: value is
 * null while loading; toggle is the switch's onChange; status is savedMessage(value) once saved.
 */
export function useSettingSwitch(setting, savedMessage) {
  const [value, setValue] = useState(null);
  const [status, setStatus] = useState('');
  const { busy: saving, error, setError, run } = useSubmit();

  useEffect(() => {
    api('/settings')
      .then((settings) => setValue(Boolean(settings[setting])))
      .catch((err) => setError(errorMessage(err)));
  }, []);

  async function toggle(event) {
    const wanted = event.target.checked;
    const before = value;
    setValue(wanted); // optimistic: the switch shows the new state while it saves
    setStatus('');
    const saved = await run(async () => {
      const settings = await api('/settings', { method: 'PATCH', body: { [setting]: wanted } });
      setValue(Boolean(settings[setting]));
      setStatus(savedMessage(Boolean(settings[setting])));
    });
    if (!saved) setValue(before); // undo the optimistic tick
  }

  return { value, saving, error, status, toggle };
}
