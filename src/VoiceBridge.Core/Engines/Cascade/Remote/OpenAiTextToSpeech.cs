using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VoiceBridge.Transport;

namespace VoiceBridge.Engines.Cascade.Remote;

/// <summary>
/// OpenAI's <c>POST /v1/audio/speech</c> as a cascade text-to-speech stage: one request per text
/// chunk, in order, with <c>response_format: "pcm"</c> (24 kHz 16-bit LE mono, no header); the
/// body is read as it arrives, resampled to 8 kHz and mu-law encoded. A non-2xx answer, a body
/// that ends early or a read that stalls throws <see cref="TextToSpeechException"/>.
/// </summary>
public sealed partial class OpenAiTextToSpeech(
    OpenAiSpeechOptions options,
    HttpClient http,
    TimeProvider time,
    ILogger<OpenAiTextToSpeech> logger) : ITextToSpeech
{
    private const int MaxInputChars = 4096;
    private const int ErrorExcerptChars = 300;

    public string Name => "openai-tts";

    public async IAsyncEnumerable<byte[]> SpeakAsync(IAsyncEnumerable<string> text, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new TextToSpeechException("openai-tts: invalid options: " + string.Join("; ", problems));
        }

        var converter = new Pcm24kToMuLaw();
        var buffer = new byte[8192];
        await foreach (var chunk in text.WithCancellation(cancellationToken))
        {
            if (string.IsNullOrWhiteSpace(chunk))
            {
                continue;
            }

            using var stall = new CancellationTokenSource(options.ReadTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stall.Token);
            using var response = await PostAsync(chunk, stall, linked.Token, cancellationToken);
            await using var body = await response.Content.ReadAsStreamAsync(linked.Token);
            while (true)
            {
                stall.CancelAfter(options.ReadTimeout);
                var read = await ReadAsync(body, buffer, stall, linked.Token, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                var mulaw = converter.Convert(buffer.AsSpan(0, read));
                if (mulaw.Length > 0)
                {
                    yield return mulaw;
                }
            }
        }

        var tail = converter.Finish();
        if (tail.Length > 0)
        {
            yield return tail;
        }
    }

    private async Task<HttpResponseMessage> PostAsync(string input, CancellationTokenSource stall, CancellationToken linked, CancellationToken caller)
    {
        if (input.Length > MaxInputChars)
        {
            throw new TextToSpeechException($"openai-tts: a text chunk of {input.Length} characters exceeds the {MaxInputChars}-character limit");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, options.SpeechUri)
        {
            Content = new StringContent(RequestJson(input), Encoding.UTF8, "application/json"),
        };
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && stall.IsCancellationRequested && !caller.IsCancellationRequested))
        {
            throw new TextToSpeechException($"openai-tts: POST {options.SpeechUri} failed: {(e is OperationCanceledException ? $"no response within {options.ReadTimeout.TotalMilliseconds:0} ms" : e.Message)}", e);
        }

        if (response.IsSuccessStatusCode)
        {
            Log.Requested(logger, input.Length, options.Simulated);
            return response;
        }

        using (response)
        {
            var body = await ReadExcerptAsync(response, linked);
            throw new TextToSpeechException($"openai-tts: HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {body}") { StatusCode = (int)response.StatusCode };
        }
    }

    private async Task<int> ReadAsync(Stream body, byte[] buffer, CancellationTokenSource stall, CancellationToken linked, CancellationToken caller)
    {
        try
        {
            return await body.ReadAsync(buffer, linked);
        }
        catch (OperationCanceledException e) when (stall.IsCancellationRequested && !caller.IsCancellationRequested)
        {
            throw new TextToSpeechException($"openai-tts: no audio for {options.ReadTimeout.TotalMilliseconds:0} ms; the response stalled", e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new TextToSpeechException($"openai-tts: the response body ended early: {e.Message}", e) { ConnectionLost = true };
        }
    }

    private string RequestJson(string input)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("model", options.Model);
            w.WriteString("input", input);
            w.WriteString("voice", options.Voice);
            w.WriteString("response_format", "pcm");
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static async Task<string> ReadExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await CappedBody.ReadAsync(response.Content, cancellationToken, ErrorExcerptChars * 4);
            text = text.ReplaceLineEndings(" ").Trim();
            return text.Length == 0 ? "(empty body)" : text.Length > ErrorExcerptChars ? text[..ErrorExcerptChars] + "..." : text;
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            return $"(body unreadable: {e.Message})";
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "openai-tts: speaking {Chars} characters (simulated: {Simulated})")]
        public static partial void Requested(ILogger logger, int chars, bool simulated);
    }
}
