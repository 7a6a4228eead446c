// Links added after load, as feeds and infinite scroll do.
setTimeout(() => {
  const list = document.getElementById('stories');
  const late = [
    ['/breitbart/politics/late-added.html', 'Late-added: Senate to vote on border bill', 'Breitbart'],
    ['/wsj/markets/late-added.html', 'Late-added: Markets steady after storm', 'The Wall Street Journal'],
  ];
  for (const [path, text, source] of late) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = location.origin + path;
    a.textContent = text;
    a.className = 'late';
    const small = document.createElement('small');
    small.textContent = source;
    li.append(a, small);
    list.append(li);
  }
}, 600);
