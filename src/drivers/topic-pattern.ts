// RabbitMQ's topic binding rule: words separated by dots, "*" one word, "#" zero or more words. A
// capture queue bound with several patterns gets all their messages; each expectation keeps its own.

export function routingKeyMatches(pattern: string, routingKey: string): boolean {
  const words = routingKey.split('.');
  const parts = pattern.split('.');
  // matches(i, j): parts from i match words from j. Memoised over (i, j): "#.#.#" stays linear-ish.
  const memo = new Map<number, boolean>();
  const matches = (i: number, j: number): boolean => {
    const key = i * (words.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === parts.length) result = j === words.length;
    else if (parts[i] === '#') result = matches(i + 1, j) || (j < words.length && matches(i, j + 1));
    else result = j < words.length && (parts[i] === '*' || parts[i] === words[j]) && matches(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return matches(0, 0);
}
