namespace VoiceBridge.Media;

/// <summary>
/// Streaming energy-based voice activity detector over 20 ms frames of 8 kHz 16-bit PCM.
/// A frame is voiced when its level is at least <see cref="VadOptions.MarginDb"/> above an adaptive
/// noise floor and at least <see cref="VadOptions.AbsoluteThresholdDbfs"/>. The noise floor follows the
/// quietest frames at once and otherwise creeps up slowly, so it settles on a steady background
/// (line hiss, room noise) while speech rides above it. Speech starts after
/// <see cref="VadOptions.MinSpeechMs"/> of consecutive voiced frames and stops once
/// <see cref="VadOptions.SilenceMs"/> of unvoiced audio has followed the last voiced frame, so words
/// separated by shorter pauses stay one utterance. <see cref="Process"/> does not allocate.
/// </summary>
public sealed class EnergyVad
{
    private const double SilenceDbfs = -100;
    private const int SeedFrames = 50;

    /// <summary>
    /// The highest a streaming detector's first noise floor may be: a caller who speaks in the
    /// very first frame (-30..-15 dBFS) must not become the noise floor, while a real noise bed
    /// (e.g. -35 dBFS) is still reached as the floor creeps up.
    /// </summary>
    private const double InitialFloorCapDbfs = -45;

    private readonly double _marginDb;
    private readonly double _absoluteDbfs;
    private readonly double _riseDbPerSample;
    private readonly long _minSpeechSamples;
    private readonly long _silenceSamples;
    private double _noiseFloorDb;
    private long _runStart = -1;
    private long _lastVoicedEnd;
    private long _lastFrameEnd;

    /// <summary>Creates a detector; the first frame it sees sets the initial noise floor (at most -45 dBFS).</summary>
    public EnergyVad(VadOptions options)
        : this(options, double.NaN)
    {
    }

    private EnergyVad(VadOptions options, double initialNoiseFloorDb)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MinSpeechMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.SilenceMs);
        ArgumentOutOfRangeException.ThrowIfNegative(options.NoiseFloorRiseDbPerSecond);
        _marginDb = options.MarginDb;
        _absoluteDbfs = options.AbsoluteThresholdDbfs;
        _riseDbPerSample = options.NoiseFloorRiseDbPerSecond / CallClock.SampleRate;
        _minSpeechSamples = CallClock.MsToSamples(options.MinSpeechMs);
        _silenceSamples = CallClock.MsToSamples(options.SilenceMs);
        _noiseFloorDb = initialNoiseFloorDb;
    }

    /// <summary>Whether the detector is inside an utterance (after SpeechStarted, before SpeechStopped).</summary>
    public bool InSpeech { get; private set; }

    /// <summary>
    /// Feeds one frame (normally 160 samples) whose first sample is at <paramref name="framePosition"/>
    /// on the call clock, and reports whether speech started or stopped with it.
    /// </summary>
    public VadEvent Process(ReadOnlySpan<short> frame, long framePosition)
    {
        if (frame.IsEmpty)
        {
            return VadEvent.None;
        }

        double level = LevelDbfs(frame);
        long frameEnd = framePosition + frame.Length;
        _lastFrameEnd = frameEnd;
        _noiseFloorDb = double.IsNaN(_noiseFloorDb) ? Math.Min(level, InitialFloorCapDbfs) : Math.Min(level, _noiseFloorDb + (_riseDbPerSample * frame.Length));
        bool voiced = level >= Math.Max(_noiseFloorDb + _marginDb, _absoluteDbfs);
        if (InSpeech)
        {
            if (voiced)
            {
                _lastVoicedEnd = frameEnd;
            }
            else if (frameEnd - _lastVoicedEnd >= _silenceSamples)
            {
                InSpeech = false;
                _runStart = -1;
                return new VadEvent(VadEventKind.SpeechStopped, _lastVoicedEnd);
            }

            return VadEvent.None;
        }

        if (!voiced)
        {
            _runStart = -1;
            return VadEvent.None;
        }

        if (_runStart < 0)
        {
            _runStart = framePosition;
        }

        _lastVoicedEnd = frameEnd;
        if (frameEnd - _runStart < _minSpeechSamples)
        {
            return VadEvent.None;
        }

        InSpeech = true;
        return new VadEvent(VadEventKind.SpeechStarted, _runStart);
    }

    /// <summary>
    /// Ends the current utterance now, at its last voiced frame, when at least
    /// <paramref name="minTrailingSilenceMs"/> of silence has followed it (another detector, e.g. the
    /// provider's, already decided the turn is over); no event when not in speech or still voiced.
    /// </summary>
    public VadEvent EndUtterance(int minTrailingSilenceMs)
    {
        if (!InSpeech || _lastFrameEnd - _lastVoicedEnd < CallClock.MsToSamples(minTrailingSilenceMs))
        {
            return VadEvent.None;
        }

        InSpeech = false;
        _runStart = -1;
        return new VadEvent(VadEventKind.SpeechStopped, _lastVoicedEnd);
    }

    /// <summary>
    /// Finds the utterances in a whole 8 kHz recording as [Start, End) sample ranges, with the same rules as
    /// streaming detection. The noise floor starts at the quietest frame of the first second, so a recording
    /// that opens with speech is handled too. An utterance still open at the end closes at its last voiced frame.
    /// </summary>
    public static IReadOnlyList<(long Start, long End)> FindSegments(ReadOnlySpan<short> pcm8k, VadOptions options)
    {
        var vad = new EnergyVad(options, QuietestLevel(pcm8k[..Math.Min(pcm8k.Length, SeedFrames * CallClock.FrameSamples)]));
        var segments = new List<(long Start, long End)>();
        long start = 0;
        for (int position = 0; position < pcm8k.Length; position += CallClock.FrameSamples)
        {
            var frame = pcm8k.Slice(position, Math.Min(CallClock.FrameSamples, pcm8k.Length - position));
            var vadEvent = vad.Process(frame, position);
            if (vadEvent.Kind == VadEventKind.SpeechStarted)
            {
                start = vadEvent.Position;
            }
            else if (vadEvent.Kind == VadEventKind.SpeechStopped)
            {
                segments.Add((start, vadEvent.Position));
            }
        }

        if (vad.InSpeech)
        {
            segments.Add((start, vad._lastVoicedEnd));
        }

        return segments;
    }

    private static double QuietestLevel(ReadOnlySpan<short> pcm)
    {
        double quietest = double.NaN;
        for (int position = 0; position < pcm.Length; position += CallClock.FrameSamples)
        {
            double level = LevelDbfs(pcm.Slice(position, Math.Min(CallClock.FrameSamples, pcm.Length - position)));
            quietest = double.IsNaN(quietest) ? level : Math.Min(quietest, level);
        }

        return quietest;
    }

    /// <summary>Mean power of the frame in dB relative to a full-scale square wave, floored at -100 dBFS.</summary>
    private static double LevelDbfs(ReadOnlySpan<short> frame)
    {
        long sumOfSquares = 0;
        foreach (short sample in frame)
        {
            sumOfSquares += sample * sample;
        }

        double meanSquare = (double)sumOfSquares / frame.Length / (32768.0 * 32768.0);
        return meanSquare > 0 ? Math.Max(SilenceDbfs, 10 * Math.Log10(meanSquare)) : SilenceDbfs;
    }
}
