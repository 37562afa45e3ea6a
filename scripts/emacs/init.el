;; docs/editor.md's Emacs configuration, as written there ...
(require 'eglot)
(define-derived-mode mtsl-mode prog-mode "mtsl"
  (setq-local comment-start "// "))
(add-to-list 'auto-mode-alist '("\\.mtsl\\'" . mtsl-mode))
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '(mtsl-mode "mtslc" "lsp" "--stdio")))
;; ... and, for the pictures (scripts/emacs-screenshot.sh): start eglot, put point on dec1,
;; list the diagnostics, then show the hover of dec1 in the *eldoc* buffer
(add-hook 'mtsl-mode-hook #'eglot-ensure)
(setq inhibit-startup-screen t eldoc-echo-area-use-multiline-p t)
(set-face-attribute 'default nil :family "DejaVu Sans Mono" :height 100)
(run-with-timer 6 nil
  (lambda ()
    (with-current-buffer "nyuv2.mtsl"
      (goto-char (point-min))
      (search-forward "dec1: decoder")
      (goto-char (match-beginning 0))
      (recenter 6)
      (if (equal (getenv "MTSL_SHOT_HOVER") "hover")
          (progn (eldoc-print-current-symbol-info)
                 (run-with-timer 1.5 nil (lambda () (display-buffer (eldoc-doc-buffer)))))
        (flymake-show-buffer-diagnostics)))))
