// ICAO 9303 machine-readable zones for test travellers, with real check digits.

/** checkDigit is ICAO 9303's 7-3-1 check digit of s. */
export function checkDigit(s) {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    let v = 0;
    if (c >= '0' && c <= '9') v = c.charCodeAt(0) - 48;
    else if (c >= 'A' && c <= 'Z') v = c.charCodeAt(0) - 55;
    else if (c !== '<') throw new Error(`checkDigit: ${JSON.stringify(c)} is not an MRZ character`);
    sum += v * weights[i % 3];
  }
  return String(sum % 10);
}

function pad(s, n) {
  if (s.length > n) throw new Error(`MRZ field ${s} longer than ${n}`);
  return s + '<'.repeat(n - s.length);
}

/**
 * td3 returns the two 44-character lines of a passport MRZ. dob and
 * expiry are YYMMDD.
 */
export function td3({issuer, surname, given, number, nationality, dob, sex, expiry, optional = ''}) {
  const name = surname.replace(/ /g, '<') + '<<' + given.replace(/ /g, '<');
  const line1 = pad('P<' + issuer + name, 44);
  const doc = pad(number, 9);
  const opt = pad(optional, 14);
  const a = doc + checkDigit(doc);
  const b = dob + checkDigit(dob);
  const c = expiry + checkDigit(expiry);
  const d = opt + checkDigit(opt);
  const line2 = a + nationality + b + sex + c + d + checkDigit(a + b + c + d);
  return line1 + '\n' + line2;
}
