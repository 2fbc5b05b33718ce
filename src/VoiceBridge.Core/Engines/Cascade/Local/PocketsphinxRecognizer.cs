using VoiceBridge.Media;

namespace VoiceBridge.Engines.Cascade.Local;

/// <summary>
/// Local speech-to-text: pocketsphinx (in-process, libpocketsphinx) constrained by a domain
/// <see cref="JsgfGrammar"/>. Caller audio (mu-law, 8 kHz) is buffered per utterance; at
/// <see cref="EndOfUtterance"/> it is upsampled to 16 kHz (<see cref="NarrowbandUpsampler"/>), decoded
/// as a whole, and one final transcript is posted. No interim transcripts.
/// <para>
/// Confidence: the mean acoustic score per frame of the best path (words, silences, noise fillers),
/// each frame scored relative to the best of all senones in that frame (pocketsphinx with
/// <c>-compallsen yes</c>): how far the grammar's best explanation is from the best the acoustic model
/// could say about each frame. Speech the grammar cannot explain is forced onto poorly matching words
/// or absorbed by silence and noise fillers, and scores far lower. (This version of pocketsphinx has
/// no usable posterior for grammar searches: <c>ps_get_prob</c> and every word posterior are 1 there.)
/// The score goes through a logistic curve (<see cref="PocketsphinxOptions.ConfidenceMidpoint"/> maps
/// to 0.5). Nothing recognised: empty text, confidence 0.
/// </para>
/// </summary>
public sealed class PocketsphinxRecognizer : ISpeechToText
{
    private const int InitialBufferSamples = 5 * CallClock.SampleRate;
    private static readonly SpeechTranscript Nothing = new(string.Empty, true, 0);
    private readonly JsgfGrammar _grammar;
    private readonly PocketsphinxOptions _options;
    private readonly bool _runInline;
    private short[] _buffer = [];
    private int _count;
    private int _maxSamples;
    private ISpeechToTextEvents? _events;
    private PocketsphinxDecoder? _decoder;
    private Task _tail = Task.CompletedTask;

    /// <summary>Creates a recogniser for one call.</summary>
    /// <param name="grammar">The deployment's grammar (build it once, share it between calls).</param>
    /// <param name="options">Tuning; the defaults are measured (docs/local-stt.md).</param>
    /// <param name="runInline">
    /// True: start-up and every decode run synchronously on the calling thread, and the transcript is
    /// posted before <see cref="EndOfUtterance"/> returns (virtual-time runs, tests). False (real time):
    /// they run on threads of their own, one utterance after another, and post when done.
    /// </param>
    public PocketsphinxRecognizer(JsgfGrammar grammar, PocketsphinxOptions? options = null, bool runInline = false)
    {
        _grammar = grammar;
        _options = options ?? new PocketsphinxOptions();
        _runInline = runInline;
    }

    public string Name => "pocketsphinx";

    /// <summary>
    /// Caller samples (8 kHz) dropped, oldest first, because more than <see cref="PocketsphinxOptions.MaxUtterance"/>
    /// of audio arrived between two ends of utterance.
    /// </summary>
    public long DroppedSamples { get; private set; }

    /// <summary>
    /// Starts the decoder. When pocketsphinx, its model or its library is missing, reports a fatal error
    /// naming what is missing and how to install it, and takes no audio.
    /// </summary>
    public async Task StartAsync(ISpeechToTextEvents events, CancellationToken cancellationToken)
    {
        _events = events;
        try
        {
            _options.Validate();
            _maxSamples = (int)(_options.MaxUtterance.TotalSeconds * CallClock.SampleRate);
            _buffer = new short[Math.Min(InitialBufferSamples, _maxSamples)];
            _decoder = _runInline
                ? PocketsphinxDecoder.Create(_options, _grammar)
                : await OffThePool(() => PocketsphinxDecoder.Create(_options, _grammar), cancellationToken);
        }
        catch (Exception e) when (e is PocketsphinxException or ArgumentException)
        {
            await events.OnErrorAsync(e.Message, fatal: true);
        }
    }

    public void SendAudio(ReadOnlySpan<byte> mulaw)
    {
        if (_decoder is null)
        {
            return;
        }

        if (mulaw.Length > _maxSamples)
        {
            DroppedSamples += mulaw.Length - _maxSamples;
            mulaw = mulaw[^_maxSamples..];
        }

        if (_count + mulaw.Length > _maxSamples)
        {
            // Drop the oldest audio (usually the silence before the caller spoke), a quarter at a time.
            int drop = Math.Min(_count, Math.Max(_count + mulaw.Length - _maxSamples, _maxSamples / 4));
            _buffer.AsSpan(drop, _count - drop).CopyTo(_buffer);
            _count -= drop;
            DroppedSamples += drop;
        }

        if (_count + mulaw.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Min(_maxSamples, Math.Max(_buffer.Length * 2, _count + mulaw.Length)));
        }

        G711.MuLawDecode(mulaw, _buffer.AsSpan(_count, mulaw.Length));
        _count += mulaw.Length;
    }

    public void EndOfUtterance()
    {
        if (_decoder is null || _events is null)
        {
            return;
        }

        var utterance = _buffer.AsSpan(0, _count).ToArray();
        _count = 0;
        _tail = _runInline
            ? AfterAsync(_tail, _events.OnTranscriptAsync(Recognise(utterance)))
            : DecodeAfterAsync(_tail, utterance, _events);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _tail;
        }
        finally
        {
            _decoder?.Dispose();
            _decoder = null;
        }
    }

    /// <summary>Maps a score per frame to 0..1 (logistic around <see cref="PocketsphinxOptions.ConfidenceMidpoint"/>).</summary>
    internal static double Confidence(double scorePerFrame, PocketsphinxOptions options) =>
        1 / (1 + Math.Exp(-(scorePerFrame - options.ConfidenceMidpoint) / options.ConfidenceSlope));

    private static async Task AfterAsync(Task previous, ValueTask posted)
    {
        await posted;
        await previous;
    }

    private async Task DecodeAfterAsync(Task previous, short[] utterance, ISpeechToTextEvents events)
    {
        await previous;
        var transcript = await OffThePool(() => Recognise(utterance), CancellationToken.None);
        await events.OnTranscriptAsync(transcript);
    }

    /// <summary>
    /// Runs native pocketsphinx work (a decode: tens to hundreds of ms of CPU per utterance; a start,
    /// about 15 ms) on a thread of its own. On the thread pool it would hold workers that every call's
    /// 20 ms tick needs; on 2 cores, a failover that started the local engine in two calls at once is
    /// the likely cause of a short dropout that the caller of a third, untouched call heard
    /// (LiveDrillInteropTests, about one run in four).
    /// </summary>
    private static Task<T> OffThePool<T>(Func<T> work, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private SpeechTranscript Recognise(short[] pcm8k)
    {
        if (pcm8k.Length == 0 || _decoder is null)
        {
            return Nothing;
        }

        var result = _decoder.Decode(NarrowbandUpsampler.Upsample(pcm8k, _options.BandFillDb));
        return result.Frames == 0 ? Nothing : new SpeechTranscript(result.Text, true, Confidence(result.ScorePerFrame, _options));
    }
}
