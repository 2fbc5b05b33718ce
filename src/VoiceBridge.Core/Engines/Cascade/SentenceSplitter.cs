using System.Text;

namespace VoiceBridge.Engines.Cascade;

/// <summary>
/// Cuts streamed LLM text into sentences for TTS, so speech starts with the first sentence
/// instead of the whole reply. A sentence ends at . ! ? followed by a space (or the end of text).
/// </summary>
public sealed class SentenceSplitter
{
    private readonly StringBuilder _pending = new();

    /// <summary>Adds streamed text; returns the sentences it completed.</summary>
    public IReadOnlyList<string> Add(string text)
    {
        _pending.Append(text);
        var sentences = new List<string>();
        var start = 0;
        for (var i = 0; i < _pending.Length - 1; i++)
        {
            if (_pending[i] is '.' or '!' or '?' && char.IsWhiteSpace(_pending[i + 1]))
            {
                AddSentence(sentences, _pending.ToString(start, i + 1 - start));
                start = i + 1;
            }
        }

        _pending.Remove(0, start);
        return sentences;
    }

    /// <summary>What is left when the text has ended.</summary>
    public string? Flush()
    {
        var rest = _pending.ToString().Trim();
        _pending.Clear();
        return rest.Length == 0 ? null : rest;
    }

    private static void AddSentence(List<string> sentences, string sentence)
    {
        sentence = sentence.Trim();
        if (sentence.Length > 0)
        {
            sentences.Add(sentence);
        }
    }
}
