using System.Globalization;
using System.Runtime.InteropServices;
using static VoiceBridge.Engines.Cascade.Local.PocketsphinxNative;

namespace VoiceBridge.Engines.Cascade.Local;

/// <summary>
/// One pocketsphinx decoder (in-process, through libpocketsphinx) searching one JSGF grammar. Its
/// dictionary holds only the grammar's words, so it starts in milliseconds. Not thread-safe: one
/// utterance at a time.
/// </summary>
internal sealed class PocketsphinxDecoder : IDisposable
{
    private const string SearchName = "domain";
    private const string NullTransition = "(NULL)";
    private static readonly object InitGate = new();
    private static bool _logSilenced;
    private IntPtr _decoder;


    private PocketsphinxDecoder(IntPtr decoder)
    {
        _decoder = decoder;
    }

    /// <summary>Starts a decoder for <paramref name="grammar"/>.</summary>
    /// <exception cref="PocketsphinxException">The library, the model or the grammar is missing or unusable.</exception>
    public static PocketsphinxDecoder Create(PocketsphinxOptions options, JsgfGrammar grammar)
    {
        foreach (var file in new[] { "mdef", "means", "variances", "sendump", "transition_matrices", "noisedict", "feat.params" })
        {
            var path = Path.Combine(options.AcousticModelPath, file);
            if (!File.Exists(path))
            {
                throw new PocketsphinxException($"pocketsphinx acoustic model not found: {path} is missing; {PocketsphinxException.InstallHint}");
            }
        }

        var decoder = Init(options);
        try
        {
            for (int i = 0; i < grammar.Pronunciations.Count; i++)
            {
                var (word, phones) = grammar.Pronunciations[i];
                bool last = i == grammar.Pronunciations.Count - 1;
                if (ps_add_word(decoder, word, phones, last ? 1 : 0) < 0)
                {
                    throw new PocketsphinxException($"pocketsphinx rejected the pronunciation of '{word}': {phones}");
                }
            }

            if (ps_set_jsgf_string(decoder, SearchName, grammar.Text) != 0 || ps_set_search(decoder, SearchName) != 0)
            {
                throw new PocketsphinxException("pocketsphinx rejected the generated JSGF grammar");
            }

            return new PocketsphinxDecoder(decoder);
        }
        catch
        {
            ps_free(decoder);
            throw;
        }
    }

    /// <summary>Decodes one whole utterance of 16 kHz PCM.</summary>
    public Recognition Decode(short[] pcm16k)
    {
        ObjectDisposedException.ThrowIf(_decoder == IntPtr.Zero, this);
        if (ps_start_utt(_decoder) < 0)
        {
            return Recognition.None;
        }

        int searched = ps_process_raw(_decoder, pcm16k, (nuint)pcm16k.Length, 0, 1);
        if (ps_end_utt(_decoder) < 0 || searched < 0)
        {
            return Recognition.None;
        }

        var text = Marshal.PtrToStringUTF8(ps_get_hyp(_decoder, out _));
        if (string.IsNullOrWhiteSpace(text))
        {
            return Recognition.None;
        }

        long score = 0;
        int frames = 0;
        for (var segment = ps_seg_iter(_decoder); segment != IntPtr.Zero; segment = ps_seg_next(segment))
        {
            ps_seg_frames(segment, out int start, out int end);
            if (end < start || Marshal.PtrToStringUTF8(ps_seg_word(segment)) == NullTransition)
            {
                continue;
            }

            ps_seg_prob(segment, out int acoustic, out _, out _);
            score += acoustic;
            frames += end - start + 1;
        }

        return frames == 0 ? Recognition.None : new Recognition(text.Trim(), (double)score / frames, frames);
    }

    public void Dispose()
    {
        if (_decoder != IntPtr.Zero)
        {
            ps_free(_decoder);
            _decoder = IntPtr.Zero;
        }
    }

    // Logging is process-wide in sphinxbase, so it is switched off once, and decoders start one at a time.
    private static IntPtr Init(PocketsphinxOptions options)
    {
        string beam = options.Beam.ToString("R", CultureInfo.InvariantCulture);
        string[] args =
        [
            "-hmm", options.AcousticModelPath, "-samprate", "16000", "-compallsen", "yes",
            "-beam", beam, "-pbeam", beam, "-wbeam", options.WordBeam.ToString("R", CultureInfo.InvariantCulture),
        ];
        var argv = args.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
        try
        {
            lock (InitGate)
            {
                if (!_logSilenced)
                {
                    err_set_logfp(IntPtr.Zero);
                    _logSilenced = true;
                }

                var config = cmd_ln_parse_r(IntPtr.Zero, ps_args(), argv.Length, argv, 1);
                if (config == IntPtr.Zero)
                {
                    throw new PocketsphinxException($"pocketsphinx rejected its configuration: {string.Join(' ', args)}");
                }

                var decoder = ps_init(config);
                cmd_ln_free_r(config);
                return decoder != IntPtr.Zero ? decoder
                    : throw new PocketsphinxException($"pocketsphinx could not load the acoustic model in {options.AcousticModelPath}; {PocketsphinxException.InstallHint}");
            }
        }
        catch (DllNotFoundException e)
        {
            throw new PocketsphinxException($"pocketsphinx library not found ({Library}, {BaseLibrary}); {PocketsphinxException.InstallHint}", e);
        }
        finally
        {
            Array.ForEach(argv, Marshal.FreeCoTaskMem);
        }
    }
}

/// <summary>
/// What pocketsphinx heard in one utterance: the hypothesis and the mean acoustic score per frame of
/// its whole path (words, silences and noise fillers), each frame's score relative to the best senone
/// of that frame.
/// </summary>
internal sealed record Recognition(string Text, double ScorePerFrame, int Frames)
{
    /// <summary>No hypothesis: silence, or nothing in the grammar fits.</summary>
    public static Recognition None { get; } = new(string.Empty, double.NegativeInfinity, 0);
}

/// <summary>Pocketsphinx cannot run: the message names what is missing and how to install it.</summary>
public sealed class PocketsphinxException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>How to install what is missing.</summary>
    public const string InstallHint = "install it with: apt-get install pocketsphinx pocketsphinx-en-us (or bash scripts/setup.sh)";
}
