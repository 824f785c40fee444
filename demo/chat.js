// Appends an assistant answer word by word, as a streaming chat would, then its widget.
let count = 1;
document.getElementById('more').addEventListener('click', () => {
  count += 1;
  const answer = document.createElement('div');
  answer.className = 'answer';
  const text = document.createElement('p');
  answer.append(text);
  document.getElementById('chat').append(answer);
  const words = 'Here is another answer, streamed in one word at a time.'.split(' ');
  const timer = setInterval(() => {
    text.textContent += `${words.shift()} `;
    if (words.length) return;
    clearInterval(timer);
    const widget = document.createElement('div');
    widget.dataset.feedback = '';
    widget.dataset.conversationId = 'demo-chat';
    widget.dataset.messageId = `demo-m${count}`;
    answer.append(widget);
  }, 80);
});
