// /verify: compares a PDF the verifier holds with the certificate the university issued,
// by its SHA-256, computed here in the browser. The file is read locally and sent nowhere.
;(() => {
  const zone = document.getElementById('verify-drop')
  const input = document.getElementById('verify-file')
  const outcome = document.getElementById('verify-outcome')
  if (!zone || !input || !outcome) return
  const expected = (zone.getAttribute('data-sha256') || '').toLowerCase()
  const check = async (file) => {
    if (!file) return
    outcome.className = ''
    outcome.textContent = zone.getAttribute('data-reading')
    const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer())
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
    const same = hex === expected
    outcome.className = same ? 'verify-same' : 'verify-different'
    outcome.textContent = zone.getAttribute(same ? 'data-same' : 'data-different')
  }
  input.addEventListener('change', () => check(input.files && input.files[0]))
  zone.addEventListener('dragover', (e) => {
    e.preventDefault()
    zone.classList.add('dragging')
  })
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'))
  zone.addEventListener('drop', (e) => {
    e.preventDefault()
    zone.classList.remove('dragging')
    check(e.dataTransfer && e.dataTransfer.files[0])
  })
})()
